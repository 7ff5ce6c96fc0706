# Ablation: SG-HAD only (paper: -2.84 % vs full HAD).
_base_ = ['./had_paper_r18_nyuv2.py']
model = dict(components=dict(had=dict(db_loss=None)))
