# LwF on Cityscapes (settings of lwf_r18_nyuv2.py).
_base_ = ['./finetune_r18_cityscapes.py']
model = dict(components=dict(
    lwf=dict(type='LwF', loss_weight=1.0, temperature=2.0)))
