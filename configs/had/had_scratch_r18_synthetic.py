# HAD with the knobs chosen as the default in the from-scratch regimes
# (configs/_base_/methods/had_scratch.py) on the synthetic rooms.
_base_ = [
    '../baselines/finetune_r18_synthetic.py',
    '../_base_/methods/had_scratch.py'
]
model = dict(components=dict(had={{_base_.had_scratch}}))
