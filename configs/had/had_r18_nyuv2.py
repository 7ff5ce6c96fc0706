# HAD on NYUv2, semantic -> depth -> normal, on the reference network, with
# mmhad's default knobs (configs/_base_/methods/had.py; README, "Which HAD
# is the default"). Paper: Delta_m vs fine-tuning +32.74 %.
_base_ = ['../baselines/finetune_r18_nyuv2.py', '../_base_/methods/had.py']
model = dict(components=dict(had={{_base_.had}}))
