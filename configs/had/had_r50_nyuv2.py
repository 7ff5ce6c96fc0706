# HAD on NYUv2 with dilated ResNet-50. Paper: Delta_m vs fine-tuning +35.71 %.
_base_ = ['./had_r18_nyuv2.py']
model = dict(
    backbone=dict(
        depth=50,
        init_cfg=dict(
            type='Pretrained', checkpoint='open-mmlab://resnet50_v1c')),
    decode_head=dict(in_channels=2048))
