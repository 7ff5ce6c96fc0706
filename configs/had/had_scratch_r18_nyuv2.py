# HAD with the knobs chosen as the default in the from-scratch regimes
# (configs/_base_/methods/had_scratch.py) on NYUv2.
_base_ = [
    '../baselines/finetune_r18_nyuv2.py', '../_base_/methods/had_scratch.py'
]
model = dict(components=dict(had={{_base_.had_scratch}}))
