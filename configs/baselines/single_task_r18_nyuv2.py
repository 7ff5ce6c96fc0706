# One single-task model (the Delta_m reference of
# tools/analysis/lifelong_report.py --single-task): trains one task on the
# whole training set. Other tasks:
#   --cfg-options "train_cfg.task_order=[depth]" \
#   --work-dir work_dirs/single_depth
_base_ = ['./finetune_r18_nyuv2.py']
train_cfg = dict(task_order=['semantic'])
