# Naive sequential fine-tuning on PASCAL-Context, five phases in the order
# of the HAD reference code (semseg, human parts, saliency, normals, edge),
# on the reference network and schedule of the NYUv2 configs.
_base_ = [
    '../_base_/models/lifelong_deeplabv3-tv_r18-d8.py',
    '../_base_/datasets/pascal_context.py',
    '../_base_/schedules/lifelong_adam_20e.py',
    '../_base_/default_runtime.py',
]
train_cfg = dict(
    task_order=['semantic', 'human_parts', 'sal', 'normal', 'edge'])
