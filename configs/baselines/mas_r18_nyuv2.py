# MAS on NYUv2: importance from the sensitivity of every head's output.
_base_ = ['./finetune_r18_nyuv2.py']
model = dict(components=dict(
    mas=dict(type='MAS', loss_weight=1.0, decay=1.0, max_batches=None)))
