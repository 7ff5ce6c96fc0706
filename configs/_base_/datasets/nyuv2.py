# NYUv2 in the pre-processed multi-task layout (13 classes, 288x384,
# 795 train / 654 val): data_root/{train,val}/{image,label,depth,normal}/*.npy
#
# The paper's protocol (the authors' code, which made the paper's tables), in
# every detail that changes numbers: the training set is read in order
# (shuffle=False) in batches of 64 with the last partial batch dropped; depth
# and normal metrics are computed per validation batch of 64 (the training
# batch) and averaged over batches; a ground-truth normal is valid when its
# components do not sum to 0, and angles come from the raw dot product (which
# the normal loss uses too). Cityscapes, PASCAL-Context and Taskonomy inherit
# it. mmhad's own protocol is the override _base_/protocols/mmhad_nyuv2.py.
dataset_type = 'NYUv2Dataset'
data_root = 'data/nyuv2'
tasks = dict(
    semantic=dict(type='SemanticTask', num_classes=13, ignore_index=-1),
    depth=dict(type='DepthTask'),
    normal=dict(
        type='NormalTask', valid_rule='sum_nonzero', similarity='dot'))

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
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        tasks=tasks,
        pipeline=train_pipeline))
val_dataloader = dict(
    # metrics are averaged per batch: keep it equal to the training batch
    batch_size=64,
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
val_evaluator = dict(type='DenseTaskMetric', average='batch')
test_evaluator = val_evaluator
