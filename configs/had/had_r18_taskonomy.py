# HAD on Taskonomy, ten phases, mmhad's default knobs
# (configs/_base_/methods/had.py). Paper (its own ten tasks): Delta_m vs
# fine-tuning +10.90 %.
_base_ = ['../baselines/finetune_r18_taskonomy.py', '../_base_/methods/had.py']
model = dict(components=dict(had={{_base_.had}}))
