# One single-task model on PASCAL-Context; another task with
#   --cfg-options "train_cfg.task_order=[edge]" \
#   --work-dir work_dirs/single_edge
_base_ = ['./finetune_r18_pascal-context.py']
train_cfg = dict(task_order=['semantic'])
