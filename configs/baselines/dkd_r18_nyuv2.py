# DKD on NYUv2: LwF's pixel-wise distillation of every old task (FDKD: all
# groups; add model.distill_tasks_per_step=1 for RDKD's random group per
# step), each old task weighted by AdaptiveOldTaskWeighting: sqrt(n_old /
# n_new) for the count and (1 + gain * similarity) for how much the new
# task's gradients rewrite the feature channels that old task reads.
_base_ = ['./lwf_r18_nyuv2.py']
model = dict(components=dict(dkd=dict(type='AdaptiveOldTaskWeighting')))
