# The paper's text of HAD (see had_paper_r18_nyuv2.py) on ResNet-50.
_base_ = [
    '../baselines/finetune_r50_nyuv2.py', '../_base_/methods/had_paper.py'
]
model = dict(components=dict(had={{_base_.had_paper}}))
