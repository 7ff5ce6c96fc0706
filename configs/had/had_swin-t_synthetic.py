# HAD on the synthetic rooms with mmpretrain's Swin-T as the shared backbone
# (output stride 32, 768 channels). pad_small_map=True lets windows cover
# feature maps smaller than or not divisible by the window size (64x80
# rooms). From scratch here; for ImageNet weights add
# init_cfg=dict(type='Pretrained', checkpoint=URL, prefix='backbone.').
_base_ = ['./had_r18_synthetic.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.SwinTransformer',
        arch='tiny',
        img_size=224,
        out_indices=(3, ),
        pad_small_map=True,
        drop_path_rate=0.1),
    decode_head=dict(in_channels=768, dilations=(1, 2, 3, 4)))
