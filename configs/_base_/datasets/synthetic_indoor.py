# Synthetic ray-cast indoor rooms (7 classes, 64x80), generated into
# data_root on first use in seconds; the CPU demo and the tests use it.
dataset_type = 'SyntheticIndoorDataset'
data_root = 'data/synthetic_indoor'
synthetic = dict(num_train=960, num_val=160, height=64, width=80, seed=0)
tasks = dict(
    semantic=dict(type='SemanticTask', num_classes=7, ignore_index=-1),
    depth=dict(type='DepthTask'),
    normal=dict(type='NormalTask'))

train_pipeline = [
    dict(type='LoadMultiTaskNpy'),
    dict(type='PackMultiTaskInputs'),
]
test_pipeline = train_pipeline
train_dataloader = dict(
    # As the reference: no last, smaller batch (a batch of one image fails in
    # the BatchNorm of the ASPP image-pool branch).
    drop_last=True,
    batch_size=16,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        tasks=tasks,
        pipeline=train_pipeline,
        **synthetic))
val_dataloader = dict(
    batch_size=32,
    num_workers=0,
    # round_up=False: no image is repeated to even out processes, so
    # distributed evaluation scores each image exactly once.
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='val',
        tasks=tasks,
        test_mode=True,
        pipeline=test_pipeline,
        **synthetic))
test_dataloader = val_dataloader
# the evaluator, the model and the visualiser take the tasks the dataset
# declares (its metainfo)
val_evaluator = dict(type='DenseTaskMetric')
test_evaluator = val_evaluator
