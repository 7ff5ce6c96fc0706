# HAD on NYUv2, semantic -> depth -> normal, as the paper's tables were made:
# the authors' code's loss (_base_/methods/had_reference.py), network, head
# init, loader, evaluation and schedule (finetune_r18_nyuv2.py), with the
# torchvision ImageNet ResNet-18. Paper: Delta_m vs fine-tuning +32.74 %
# (LwF +24.74 %, joint +40.83 %). The paper's text is had_paper_r18_nyuv2.py,
# mmhad's own variant had-mm_r18_nyuv2.py.
_base_ = [
    '../baselines/finetune_r18_nyuv2.py', '../_base_/methods/had_reference.py'
]
model = dict(components=dict(had={{_base_.had_reference}}))
