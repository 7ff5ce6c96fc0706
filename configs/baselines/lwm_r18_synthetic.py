# LwM on the synthetic rooms (see lwm_r18_nyuv2.py).
_base_ = ['./lwf_r18_synthetic.py']
model = dict(type='LwM', attention_weight=1.0)
