# Naive sequential fine-tuning on NYUv2, semantic -> depth -> normal, on the
# reference code's network (torchvision-dilated ResNet-18, torchvision-layout
# DeepLabV3 heads): the lower bound HAD is compared to. Every NYUv2 config of
# the paper's protocol inherits its network from here; the mmseg-native
# DeepLabV3 (ResNetV1c + ASPPHead) is finetune_r18-v1c_nyuv2.py.
_base_ = [
    '../_base_/models/lifelong_deeplabv3-tv_r18-d8.py',
    '../_base_/datasets/nyuv2.py',
    '../_base_/schedules/lifelong_adam_20e.py',
    '../_base_/default_runtime.py',
]
