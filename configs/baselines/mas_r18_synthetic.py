_base_ = ['./finetune_r18_synthetic.py']
model = dict(components=dict(
    mas=dict(type='MAS', loss_weight=1.0, decay=1.0, max_batches=None)))
