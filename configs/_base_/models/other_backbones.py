# mmpretrain backbones for the lifelong models, with the settings dense
# heads need (feature map of the last stage, out_indices=(3, )). From
# scratch; for ImageNet weights add
# init_cfg=dict(type='Pretrained', checkpoint=URL, prefix='backbone.').
# Top-level configs take one with
#   model = dict(backbone={{_base_.convnext_atto}}, decode_head=...).
# ConvNeXt pools its last stage by default: gap_before_final_norm=False
# keeps the (N, 320, H/32, W/32) map.
convnext_atto = dict(_delete_=True,
                     type='mmpretrain.ConvNeXt',
                     arch='atto',
                     out_indices=(3, ),
                     gap_before_final_norm=False,
                     drop_path_rate=0.1)
# pad_small_map=True: windows cover maps they do not divide (64x80 rooms).
swin_tiny = dict(_delete_=True,
                 type='mmpretrain.SwinTransformer',
                 arch='tiny',
                 img_size=224,
                 out_indices=(3, ),
                 pad_small_map=True,
                 drop_path_rate=0.2)
