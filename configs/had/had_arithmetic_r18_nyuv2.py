# Ablation: arithmetic instead of geometric group means (paper: -6.29 %).
_base_ = ['./had_paper_r18_nyuv2.py']
model = dict(components=dict(had=dict(db_loss=dict(mean='arithmetic'))))
