# DKD on the synthetic rooms (see dkd_r18_nyuv2.py).
_base_ = ['./lwf_r18_synthetic.py']
model = dict(components=dict(dkd=dict(type='AdaptiveOldTaskWeighting')))
