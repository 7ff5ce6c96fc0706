# DKD-style sampling: distil one randomly drawn old task per step (scaled by
# num_old so the expected loss is unchanged), saving teacher and head
# compute in later phases.
_base_ = ['./had_paper_r18_nyuv2.py']
model = dict(distill_tasks_per_step=1)
