# HAD with a guard against weak teachers (README, "HAD and weak teachers"):
# a pseudo-label is only as good as the teacher, so pixels whose teacher
# top-1 probability is below confidence_threshold are neither grouped nor
# salient, and DB groups with fewer than min_group_fraction of the distilled
# pixels are dropped (a weak teacher's rare, mostly wrong classes would
# otherwise weigh as much as the large ones). Regression tasks, whose
# outputs carry no confidence, are distilled as in had_r18_nyuv2.py.
_base_ = ['./had_r18_nyuv2.py']
model = dict(
    confidence_threshold=0.3,
    db_loss=dict(classification=dict(min_group_fraction=0.01)))
