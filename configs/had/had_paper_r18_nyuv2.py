# HAD on NYUv2 with every loss choice as the paper's text states it
# (_base_/methods/had_paper.py), on the paper's protocol
# (finetune_r18_nyuv2.py). The paper's figures were made with its code
# (had_r18_nyuv2.py), not with this text: no paper figure belongs here.
_base_ = [
    '../baselines/finetune_r18_nyuv2.py', '../_base_/methods/had_paper.py'
]
model = dict(components=dict(had={{_base_.had_paper}}))
