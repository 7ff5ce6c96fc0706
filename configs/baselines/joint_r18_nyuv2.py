# Joint multi-task training, the upper bound: one phase learns all tasks on
# the whole training set with all labels. Paper: +40.83 % vs naive.
_base_ = ['./finetune_r18_nyuv2.py']
train_cfg = dict(task_order=[['semantic', 'depth', 'normal']])
