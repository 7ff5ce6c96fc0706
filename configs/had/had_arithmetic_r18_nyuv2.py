# Ablation on the paper's protocol (had_r18_nyuv2.py): arithmetic instead of
# geometric class means in the segmentation DB term, all else as the
# reference (its regression DB is arithmetic already; paper: -6.29 %).
_base_ = ['./had_r18_nyuv2.py']
model = dict(components=dict(had=dict(db_loss=dict(
    classification=dict(mean='arithmetic')))))
