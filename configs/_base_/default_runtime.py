default_scope = 'mmhad'
# mmengine's Runner with the public fields the lifelong loop and hooks use
runner_type = 'LifelongRunner'
env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='Visualizer', vis_backends=vis_backends, name='visualizer')
log_processor = dict(type='LifelongLogProcessor', by_epoch=True)
log_level = 'INFO'
load_from = None
resume = False

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Epoch checkpoints are for resuming; phase-end checkpoints
    # (phase_<t>_<task>.pth) are saved by the loop and never deleted.
    # max_keep_ckpts >= 2: mmengine deletes the oldest checkpoint *before*
    # writing the new one, so with 1 a run killed while saving has none left.
    checkpoint=dict(type='CheckpointHook', interval=5, max_keep_ckpts=2),
    sampler_seed=dict(type='DistSamplerSeedHook'))
custom_hooks = [
    dict(type='LifelongResultsHook'),
    dict(type='WeightsOnlyCheckpointHook'),
    # a load_from / tools/test.py checkpoint of another model is refused
    dict(type='CheckpointFitHook'),
    dict(type='RNGStateHook'),
    # <work_dir>/forgetting/forgetting_0.png when the run ends
    dict(type='ForgettingStripHook', images=[0]),
]
# deterministic=True makes CPU/GPU kernels deterministic (slower on GPU).
# DDP: heads of tasks a phase does not train get no gradient.
find_unused_parameters = True
# sync_bn = 'torch'  # SyncBatchNorm across processes
randomness = dict(seed=4, deterministic=False)
