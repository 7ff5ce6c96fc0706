# Fine-tuning on the synthetic indoor rooms: the CPU demo's lower bound.
_base_ = [
    '../_base_/models/lifelong_deeplabv3_r18-d8-quarter.py',
    '../_base_/datasets/synthetic_indoor.py',
    '../_base_/schedules/lifelong_adam_20e.py',
    '../_base_/default_runtime.py',
]
# The paper's architecture at a quarter of the width, so that the three
# phases train on two CPU cores in a few minutes. As users start from an
# ImageNet encoder, the encoder starts from the shipped formula-driven
# pretraining (no download; made by tools/pretrain.py with
# configs/pretrain/fractaldb100_r18-d8-quarter_64x80.py). From scratch:
# --cfg-options model.architecture.backbone.init_cfg=None \
#     optim_wrapper.optimizer.lr=3e-3
model = dict(architecture=dict(
    backbone=dict(init_cfg=dict(
        _delete_=True,
        type='Pretrained',
        checkpoint='checkpoints/fractaldb100_r18-d8-quarter_64x80.pth'))))
# 15 epochs of 20 iterations per phase.
optim_wrapper = dict(optimizer=dict(lr=3e-3))
train_cfg = dict(max_epochs=15)
default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=1000))
