# Reference schedule: 20 epochs per phase, Adam lr 1e-4, weight decay 1e-5,
# a fresh optimizer at each phase, no learning-rate decay.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-4, weight_decay=1e-5))
param_scheduler = []
train_cfg = dict(
    type='LifelongTrainLoop',
    task_order=['semantic', 'depth', 'normal'],
    max_epochs=20,
    split='contiguous',
    optimizer_policy='rebuild')
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
