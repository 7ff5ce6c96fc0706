# Taskonomy as released (one folder per task, one PNG per view, buildings
# split by taskonomy_splits.json: the tiny split, 25 / 5 / 5 buildings),
# views resized from 512x512 to 256x256 as the literature does. Ten
# pixel-to-pixel tasks; the paper's ten-task stream is not published, so
# this is our choice (docs/en/user_guides/datasets.md). Any subset and
# order: edit `taskonomy_tasks` (the one declaration) and
# train_cfg.task_order. Regression
# targets are normalised with the constants of the multi-task literature
# (mean / std of the stored values). Loaders as NYUv2's, batch 16, 8
# workers.
_base_ = ['./nyuv2.py']
dataset_type = 'TaskonomyDataset'
data_root = 'data/taskonomy'
taskonomy_tasks = dict(
    segment_semantic=dict(
        type='SemanticTask', num_classes=17, ignore_index=-1),
    depth_zbuffer=dict(type='DepthTask'),  # metres, 0 = invalid
    normal=dict(type='NormalTask'),
    depth_euclidean=dict(
        # metres; only 65535 marks no depth (the release's 1/512 m units
        # reach 128 m), as for depth_zbuffer
        type='DenseRegressionTask', invalid_value=65535, scale=512.),
    edge_texture=dict(type='DenseRegressionTask', shift=718., scale=1070.),
    edge_occlusion=dict(
        type='DenseRegressionTask', shift=56.0248, scale=239.1265),
    keypoints2d=dict(type='DenseRegressionTask', shift=50., scale=100.),
    keypoints3d=dict(type='DenseRegressionTask', scale=65535.),
    reshading=dict(type='DenseRegressionTask', shift=126.53, scale=72.57),
    principal_curvature=dict(
        type='DenseRegressionTask', channels=2, shift=(131.96, 127.17),
        scale=(35.01, 9.15)))
tasks = dict(_delete_=True, **taskonomy_tasks)
pipeline = [
    dict(type='LoadTaskonomy'),
    dict(type='ResizeTo', size=(256, 256)),
    dict(type='PackMultiTaskInputs'),
]
_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    tasks=dict(_delete_=True, **taskonomy_tasks),
    pipeline=pipeline)
# PNG decoding happens in the workers
train_dataloader = dict(batch_size=16, num_workers=8, dataset=_dataset)
val_dataloader = dict(batch_size=16, num_workers=8, dataset=_dataset)
test_dataloader = val_dataloader
val_evaluator = dict(type='DenseTaskMetric')
test_evaluator = val_evaluator
