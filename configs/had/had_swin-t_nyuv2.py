# HAD on NYUv2 with Swin-T (see had_swin-t_synthetic.py), the reference
# network's head layout.
_base_ = ['./had_r18_nyuv2.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.SwinTransformer',
        arch='tiny',
        img_size=224,
        out_indices=(3, ),
        pad_small_map=True,
        drop_path_rate=0.2),
    decode_head=dict(in_channels=768))
