# Naive sequential fine-tuning on NYUv2, semantic -> depth -> normal, with
# the paper's protocol (the authors' code: network, head init, loader order,
# per-batch evaluation, schedule; _base_/datasets/nyuv2.py): the lower bound
# of had_r18_nyuv2.py. Every NYUv2 config inherits its network and protocol
# from here; mmhad's own protocol is finetune-mm_r18_nyuv2.py, the
# mmseg-native DeepLabV3 (ResNetV1c + ASPPHead) finetune_r18-v1c_nyuv2.py.
_base_ = [
    '../_base_/models/lifelong_deeplabv3-tv_r18-d8.py',
    '../_base_/datasets/nyuv2.py',
    '../_base_/schedules/lifelong_adam_20e.py',
    '../_base_/default_runtime.py',
]
