# Fine-tuning on NYUv2 with mmseg's native DeepLabV3 instead of the reference
# network: ResNetV1c-18 (deep stem, open-mmlab weights, ImageNet-normalised
# input) dilated by mmseg, whose BasicBlocks keep conv2 undilated, and
# mmseg's ASPPHead (31,459,953 parameters with the three heads, against the
# reference network's 25,347,409). Not the paper's network.
_base_ = [
    '../_base_/models/lifelong_deeplabv3_r18-d8.py',
    '../_base_/datasets/nyuv2.py',
    '../_base_/schedules/lifelong_adam_20e.py',
    '../_base_/default_runtime.py',
]
