# The from-scratch demo regime: the pretrained regime's configs and images,
# the encoder trained from scratch (Adam lr 3e-3).
_base_ = ['./pretrained.py']
options = dict(
    model=dict(architecture=dict(backbone=dict(init_cfg=None))),
    optim_wrapper=dict(optimizer=dict(lr=3e-3)))
