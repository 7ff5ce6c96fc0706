# LwF on NYUv2: pixel-wise distillation of every old head (KL at T for
# segmentation, L1 / 1 - cosine for regression). Paper: +24.74 % vs naive.
_base_ = ['./finetune_r18_nyuv2.py']
model = dict(components=dict(
    lwf=dict(type='LwF', loss_weight=1.0, temperature=2.0)))
