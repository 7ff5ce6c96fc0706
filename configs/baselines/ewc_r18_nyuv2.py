# EWC on NYUv2: diagonal Fisher at the end of each phase, summed over phases.
_base_ = ['./finetune_r18_nyuv2.py']
model = dict(components=dict(
    ewc=dict(type='EWC', loss_weight=1e4, decay=1.0, max_batches=None)))
