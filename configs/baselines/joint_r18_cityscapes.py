# Joint multi-task training on Cityscapes, the upper bound: one phase, both
# tasks, the whole training set.
_base_ = ['./finetune_r18_cityscapes.py']
train_cfg = dict(task_order=[['semantic', 'depth']])
