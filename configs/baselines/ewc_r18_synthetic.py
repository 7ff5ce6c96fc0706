_base_ = ['./finetune_r18_synthetic.py']
model = dict(components=dict(
    ewc=dict(type='EWC', loss_weight=1e4, decay=1.0, max_batches=None)))
