# SPG on the synthetic rooms (see spg_r18_nyuv2.py).
_base_ = ['./finetune_r18_synthetic.py']
model = dict(components=dict(spg=dict(type='SPG')))
