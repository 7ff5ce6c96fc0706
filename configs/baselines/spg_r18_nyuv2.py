# SPG on NYUv2: gradients of parameters important to earlier tasks damped by
# 1 - importance (importance from each task's own loss, accumulated by max).
_base_ = ['./finetune_r18_nyuv2.py']
model = dict(components=dict(spg=dict(type='SPG')))
