# SGP on the synthetic rooms (see sgp_r18_nyuv2.py).
_base_ = ['./finetune_r18_synthetic.py']
model = dict(components=dict(
    sgp=dict(type='SGP', threshold=0.97, scale_coefficient=10.0)))
