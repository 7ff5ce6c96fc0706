# HAD on Cityscapes, semantic (7 classes) -> depth (disparity), with the
# loss and protocol of the paper's tables (the authors' code:
# _base_/methods/had_reference.py on finetune_r18_cityscapes.py, which takes
# the NYUv2 protocol: loader in order, per-batch evaluation, torchvision
# head init, the torchvision ImageNet ResNet-18).
_base_ = [
    '../baselines/finetune_r18_cityscapes.py',
    '../_base_/methods/had_reference.py'
]
model = dict(components=dict(had={{_base_.had_reference}}))
