# HAD with a guard against weak teachers (README, "HAD and weak teachers"):
# a pseudo-label is only as good as the teacher, so a pixel whose teacher
# top-1 probability is below confidence_threshold has its distillation loss
# scaled by confidence / threshold (confidence_guard='scale'). Pixels are
# never discarded and DB groups never dropped (confidence_guard='discard'
# and db_loss min_group_fraction do, and they silenced the classes a weak
# teacher gets right but unsurely, or on few pixels: the held-out streets'
# sky). Regression tasks, whose outputs carry no confidence, are distilled
# as in had_r18_synthetic.py.
_base_ = ['./had_scratch_r18_synthetic.py']
model = dict(components=dict(
    had=dict(confidence_threshold=0.3, confidence_guard='scale')))
