# HAD on NYUv2 with every choice as the paper's text states it, on the
# reference network. Paper: Delta_m vs fine-tuning +32.74 % (R18).
_base_ = [
    '../baselines/finetune_r18_nyuv2.py', '../_base_/methods/had_paper.py'
]
model = dict(components=dict(had={{_base_.had_paper}}))
