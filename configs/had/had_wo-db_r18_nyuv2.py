# Ablation on the paper's protocol (had_r18_nyuv2.py): SG-HAD only, every
# DB term dropped (paper: -2.84 % vs full HAD). The authors' code's
# num_interval=1 instead replaces DB by the plain mean distillation loss.
_base_ = ['./had_r18_nyuv2.py']
model = dict(components=dict(had=dict(db_loss=None)))
