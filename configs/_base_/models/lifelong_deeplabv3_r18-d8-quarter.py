# The paper's architecture (dilated ResNet-18, output stride 8, ASPP heads
# with rates 12/24/36) at a quarter of its width, for the synthetic CPU
# configs and the formula-driven pretraining of their encoder.
_base_ = ['./lifelong_deeplabv3_r18-d8.py']
model = dict(architecture=dict(backbone=dict(
    base_channels=16, stem_channels=16, init_cfg=None),
                               decode_head=dict(in_channels=128, channels=32)))
