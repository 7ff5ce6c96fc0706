# HAD on the synthetic rooms with mmpretrain's ConvNeXt-atto as the shared
# backbone (output stride 32). ConvNeXt pools its last stage by default:
# gap_before_final_norm=False keeps the (N, 320, H/32, W/32) feature map the
# dense heads need. From scratch here; for ImageNet weights add
# init_cfg=dict(type='Pretrained', checkpoint=URL, prefix='backbone.').
_base_ = ['./had_r18_synthetic.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.ConvNeXt',
        arch='atto',
        out_indices=(3, ),
        gap_before_final_norm=False,
        drop_path_rate=0.1),
    decode_head=dict(in_channels=320, dilations=(1, 2, 3, 4)))
