# Ablation: DB-HAD only (paper: -1.27 % vs full HAD).
_base_ = ['./had_paper_r18_nyuv2.py']
model = dict(components=dict(had=dict(sg_loss=None)))
