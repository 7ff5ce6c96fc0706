# HAD as had_r18_nyuv2.py (the reference loss and protocol) on mmseg's
# native DeepLabV3 (ResNetV1c-18 + ASPPHead), not the paper's network; its
# lower bound is configs/baselines/finetune_r18-v1c_nyuv2.py.
_base_ = [
    '../baselines/finetune_r18-v1c_nyuv2.py',
    '../_base_/methods/had_reference.py'
]
model = dict(components=dict(had={{_base_.had_reference}}))
