# HAD as the reference code computes it (configs/_base_/methods/
# had_reference.py), on the reference protocol and evaluation
# (finetune_reference_r18_nyuv2.py: shuffle=False, drop_last=True, metrics
# averaged per validation batch of 64, the reference's normal validity and
# angles). Set its numbers beside the paper's tables.
_base_ = [
    '../baselines/finetune_reference_r18_nyuv2.py',
    '../_base_/methods/had_reference.py'
]
model = dict(components=dict(had={{_base_.had_reference}}))
