# The reference code's HAD loss choices (configs/_base_/methods/
# had_reference.py) on the synthetic rooms, with the demo's protocol and
# evaluation: to compare them with the paper's text and mmhad's default.
_base_ = [
    '../baselines/finetune_r18_synthetic.py',
    '../_base_/methods/had_reference.py'
]
model = dict(components=dict(had={{_base_.had_reference}}))
