# Fine-tuning on the synthetic indoor rooms: the CPU demo's lower bound.
# No pretrained weights, so nothing is downloaded.
_base_ = [
    '../_base_/models/lifelong_deeplabv3_r18-d8.py',
    '../_base_/datasets/synthetic_indoor.py',
    '../_base_/schedules/lifelong_adam_20e.py',
    '../_base_/default_runtime.py',
]
model = dict(
    type='FineTune',
    tasks={{_base_.tasks}},
    backbone=dict(init_cfg=None),
    decode_head=dict(channels=64))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_epochs=6)
default_hooks = dict(
    logger=dict(interval=10), checkpoint=dict(interval=1000))
