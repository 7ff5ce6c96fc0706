# See single_task_r18_nyuv2.py; "train_cfg.task_order=[depth]" for depth.
_base_ = ['./finetune_r18_synthetic.py']
train_cfg = dict(task_order=['semantic'])
