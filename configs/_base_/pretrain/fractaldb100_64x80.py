# Formula-driven pretraining (FractalDB, Kataoka et al. ACCV 2020): classify
# fractals of 100 random iterated function systems, rendered on the fly
# (mmhad.datasets.FractalClassification), deterministic by seed: no natural
# image, no download, no label of a lifelong task. `model` is set by the
# top-level config (a PretextClassifier around a lifelong config's backbone).
default_scope = 'mmhad'
num_classes = 100
train_dataloader = dict(
    batch_size=64,
    num_workers=0,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='FractalClassification',
        num_classes=num_classes,
        instances_per_class=200,
        height=64,
        width=80,
        seed=0,
        category_seed=0))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=6)
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.05))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0,
         end=100),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=6,
         eta_min=1e-5)
]
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # one checkpoint per epoch: a killed run resumes (--resume) from there
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2),
    sampler_seed=dict(type='DistSamplerSeedHook'))
custom_hooks = [dict(type='ProgressBarHook')]
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'))
log_processor = dict(by_epoch=True)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
