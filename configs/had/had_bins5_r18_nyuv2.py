# Ablation on the paper's protocol (had_r18_nyuv2.py): regression pixels
# grouped into 5 fixed-width bins of the score the reference splits (the
# student's raw prediction, channel mean, bins of width 1/5 over [0, 1],
# values outside in the end bins) instead of its two sides of 0.5 (paper:
# 5 / 10 / 15 bins give -3.64 / -5.43 / -9.72 %; this one -3.64 %).
_base_ = ['./had_r18_nyuv2.py']
model = dict(components=dict(had=dict(groupings=dict(regression=dict(
    num_bins=5)))))
