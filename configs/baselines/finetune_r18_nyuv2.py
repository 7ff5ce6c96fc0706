# Naive sequential fine-tuning on NYUv2, semantic -> depth -> normal, dilated
# ResNet-18: the lower bound HAD is compared to.
_base_ = [
    '../_base_/models/lifelong_deeplabv3_r18-d8.py',
    '../_base_/datasets/nyuv2.py',
    '../_base_/schedules/lifelong_adam_20e.py',
    '../_base_/default_runtime.py',
]
model = dict(type='FineTune', tasks={{_base_.tasks}})
