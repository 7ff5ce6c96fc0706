# Piggyback-style parameter isolation on the synthetic rooms (see
# piggyback_r18_nyuv2.py).
_base_ = ['./finetune_r18_synthetic.py']
model = dict(components=dict(
    piggyback=dict(type='Piggyback', threshold=5e-3, init_score=1e-2)))
