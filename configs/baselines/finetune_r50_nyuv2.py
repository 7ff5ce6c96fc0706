# Fine-tuning on NYUv2 with the paper's protocol on ResNet-50 (torchvision
# ImageNet weights, Bottleneck stages dilated 2 / 4): the lower bound of
# had_r50_nyuv2.py and had_paper_r50_nyuv2.py.
_base_ = ['./finetune_r18_nyuv2.py']
model = dict(architecture=dict(
    backbone=dict(
        depth=50,
        init_cfg=dict(type='Pretrained',
                      checkpoint='torchvision://resnet50')),
    decode_head=dict(in_channels=2048)))
