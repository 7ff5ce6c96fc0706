# NYUv2 in the pre-processed multi-task layout (13 classes, 288x384,
# 795 train / 654 val): data_root/{train,val}/{image,label,depth,normal}/*.npy
dataset_type = 'NYUv2Dataset'
data_root = 'data/nyuv2'
tasks = dict(
    semantic=dict(type='SemanticTask', num_classes=13, ignore_index=-1),
    depth=dict(type='DepthTask'),
    normal=dict(type='NormalTask'))

train_pipeline = [
    dict(type='LoadMultiTaskNpy'),
    # The reference protocol trains without augmentation; to enable it:
    # dict(type='RandomScaleCrop', scales=(1.0, 1.2, 1.5)),
    # dict(type='RandomHorizontalFlip', prob=0.5),
    dict(type='PackMultiTaskInputs'),
]
test_pipeline = [
    dict(type='LoadMultiTaskNpy'),
    dict(type='PackMultiTaskInputs'),
]
train_dataloader = dict(
    # As the reference: no last, smaller batch (a batch of one image fails in
    # the BatchNorm of the ASPP image-pool branch).
    drop_last=True,
    # The reference trains with batch 64 on one GPU; with N GPUs set
    # train_dataloader.batch_size=64/N (the batch size is per GPU).
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        tasks=tasks,
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    pin_memory=True,
    # round_up=False: no image is repeated to even out processes, so
    # distributed evaluation scores each image exactly once.
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='val',
        tasks=tasks,
        test_mode=True,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
# the evaluator, the model and the visualiser take the tasks the dataset
# declares (its metainfo)
val_evaluator = dict(type='DenseTaskMetric')
test_evaluator = val_evaluator
