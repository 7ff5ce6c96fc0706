# Naive sequential fine-tuning on Cityscapes, semantic (7 classes) -> depth
# (disparity), on the reference network and schedule of the NYUv2 configs.
_base_ = [
    '../_base_/models/lifelong_deeplabv3-tv_r18-d8.py',
    '../_base_/datasets/cityscapes.py',
    '../_base_/schedules/lifelong_adam_20e.py',
    '../_base_/default_runtime.py',
]
train_cfg = dict(task_order=['semantic', 'depth'])
