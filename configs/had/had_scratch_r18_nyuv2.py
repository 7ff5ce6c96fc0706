# HAD with the knobs chosen as the default in the from-scratch regimes (see
# had_scratch_r18_synthetic.py) on NYUv2: the reference code's loss choices
# on mmhad's protocol (had_reference-loss_r18_nyuv2.py) without their
# regression SG term.
_base_ = ['./had_reference-loss_r18_nyuv2.py']
model = dict(components=dict(had=dict(sg_loss=dict(regression=None))))
