_base_ = ['./finetune_r18_synthetic.py']
train_cfg = dict(task_order=[['semantic', 'depth', 'normal']])
