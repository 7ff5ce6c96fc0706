# One single-task model on Cityscapes (the Delta_m reference of
# tools/analysis/lifelong_report.py --single-task); for depth:
#   --cfg-options "train_cfg.task_order=[depth]" \
#   --work-dir work_dirs/single_depth
_base_ = ['./finetune_r18_cityscapes.py']
train_cfg = dict(task_order=['semantic'])
