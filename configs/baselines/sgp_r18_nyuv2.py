# SGP on NYUv2: updates of the backbone's convolutions projected out of the
# span of earlier tasks' layer inputs, scaled by importance.
_base_ = ['./finetune_r18_nyuv2.py']
model = dict(components=dict(
    sgp=dict(type='SGP', threshold=0.97, scale_coefficient=10.0)))
