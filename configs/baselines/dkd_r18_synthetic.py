# DKD on the synthetic rooms (see dkd_r18_nyuv2.py).
_base_ = ['./lwf_r18_synthetic.py']
model = dict(old_task_weighting=dict(type='AdaptiveOldTaskWeighting'))
