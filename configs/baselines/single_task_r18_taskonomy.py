# One single-task model on Taskonomy; another task with
#   --cfg-options "train_cfg.task_order=[normal]" \
#   --work-dir work_dirs/single_normal
_base_ = ['./finetune_r18_taskonomy.py']
train_cfg = dict(task_order=['segment_semantic'])
