# HAD on NYUv2 as the paper's tables were made (see had_r18_nyuv2.py), on
# the torchvision ImageNet ResNet-50. Paper: Delta_m vs fine-tuning
# +35.71 % (LwF +32.94 %, joint +44.36 %). A training step at batch 64
# needs about 38 GiB on a CPU; the full run is 10.9 PFLOPs (docs/en/results/
# full_scale.md, which also runs it end to end on a CPU).
_base_ = [
    '../baselines/finetune_r50_nyuv2.py', '../_base_/methods/had_reference.py'
]
model = dict(components=dict(had={{_base_.had_reference}}))
