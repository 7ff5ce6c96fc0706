# HAD on Cityscapes, semantic (7 classes) -> depth (disparity), with
# mmhad's default knobs (configs/_base_/methods/had.py).
_base_ = [
    '../baselines/finetune_r18_cityscapes.py', '../_base_/methods/had.py'
]
model = dict(components=dict(had={{_base_.had}}))
