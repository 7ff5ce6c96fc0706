# HAD on NYUv2 with the reference network on ResNet-50 (torchvision weights,
# Bottleneck stages dilated 2 / 4). Paper: Delta_m vs fine-tuning +35.71 %.
_base_ = ['./had_r18_nyuv2.py']
model = dict(architecture=dict(backbone=dict(
    depth=50,
    init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
                               decode_head=dict(in_channels=2048)))
