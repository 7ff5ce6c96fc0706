_base_ = ['./finetune_r18_synthetic.py']
model = dict(components=dict(
    lwf=dict(type='LwF', loss_weight=1.0, temperature=2.0)))
