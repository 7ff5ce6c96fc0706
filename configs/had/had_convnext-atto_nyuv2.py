# HAD on NYUv2 with ConvNeXt-atto (see had_convnext-atto_synthetic.py for
# why gap_before_final_norm=False), the reference network's head layout.
_base_ = ['./had_r18_nyuv2.py']
model = dict(
    backbone=dict(
        _delete_=True,
        type='mmpretrain.ConvNeXt',
        arch='atto',
        out_indices=(3, ),
        gap_before_final_norm=False,
        drop_path_rate=0.1),
    decode_head=dict(in_channels=320))
