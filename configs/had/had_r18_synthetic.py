# HAD on the synthetic indoor rooms, on the CPU in minutes (the README's main
# job), with mmhad's default knobs (configs/_base_/methods/had.py).
_base_ = ['../baselines/finetune_r18_synthetic.py', '../_base_/methods/had.py']
model = dict(components=dict(had={{_base_.had}}))
