# Piggyback-style parameter isolation on NYUv2: phase 1 trains the backbone;
# every later task learns a binary mask over the frozen backbone weights
# (zero forgetting by construction; one backbone pass per task to predict).
_base_ = ['./finetune_r18_nyuv2.py']
model = dict(components=dict(
    piggyback=dict(type='Piggyback', threshold=5e-3, init_score=1e-2)))
