# HAD with a guard against weak teachers (README, "HAD and weak teachers"):
# a pseudo-label is only as good as the teacher, so a pixel whose teacher
# top-1 probability is below confidence_threshold has its distillation loss
# scaled by confidence / threshold (confidence_guard='scale'; 'discard'
# leaves such pixels out, which also silences classes the teacher gets
# right but unsurely), and DB groups with fewer than min_group_fraction of
# the distilled pixels are dropped (a weak teacher's rare, mostly wrong
# classes would otherwise weigh as much as the large ones). Regression
# tasks, whose outputs carry no confidence, are distilled as in had_r18_synthetic.py.
_base_ = ['./had_r18_synthetic.py']
model = dict(
    confidence_threshold=0.3,
    confidence_guard='scale',
    db_loss=dict(classification=dict(min_group_fraction=0.01)))
