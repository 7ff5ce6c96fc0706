# Joint multi-task training on Taskonomy, the upper bound: one phase, all
# ten tasks.
_base_ = ['./finetune_r18_taskonomy.py']
train_cfg = dict(task_order=[{{_base_.train_cfg.task_order}}])
