# Joint multi-task training on PASCAL-Context, the upper bound.
_base_ = ['./finetune_r18_pascal-context.py']
train_cfg = dict(
    task_order=[['semantic', 'human_parts', 'sal', 'normal', 'edge']])
