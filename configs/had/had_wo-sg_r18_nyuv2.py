# Ablation on the paper's protocol (had_r18_nyuv2.py): DB-HAD only, every
# SG term dropped (paper: -1.27 % vs full HAD). The authors' code has no
# switch for it.
_base_ = ['./had_r18_nyuv2.py']
model = dict(components=dict(had=dict(sg_loss=None)))
