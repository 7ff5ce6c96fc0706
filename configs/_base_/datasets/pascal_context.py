# PASCAL-Context multi-task (PASCAL_MT release: JPEGImages, ImageSets/Context,
# semseg, human_parts, pascal-context/trainval, normals_distill, sal_distill;
# 4998 train / 5105 val), five tasks, images padded to 512x512. Task loss
# weights as in the multi-task literature (semseg 1, parts 2, saliency 5,
# edge 50, normals 10). Loaders as NYUv2's, batch 8.
_base_ = ['./nyuv2.py']
dataset_type = 'PascalContextDataset'
data_root = 'data/PASCAL_MT'
pascal_tasks = dict(
    semantic=dict(type='SemanticTask', num_classes=21, ignore_index=255),
    human_parts=dict(type='HumanPartsTask', num_classes=7, ignore_index=255,
                     loss_weight=2.0),
    sal=dict(type='SaliencyTask', loss_weight=5.0),
    normal=dict(type='NormalTask', loss_weight=10.0),
    edge=dict(type='EdgeTask', pos_weight=0.95, match_tolerance=0.0075,
              loss_weight=50.0))
tasks = dict(_delete_=True, **pascal_tasks)
pipeline = [
    dict(type='LoadPascalContext'),
    dict(type='PadTo', size=(512, 512)),
    dict(type='PackMultiTaskInputs'),
]
_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    tasks=dict(_delete_=True, **pascal_tasks),
    pipeline=pipeline)
train_dataloader = dict(batch_size=8, dataset=_dataset)
val_dataloader = dict(batch_size=8, dataset=_dataset)
test_dataloader = val_dataloader
val_evaluator = dict(type='DenseTaskMetric')
test_evaluator = val_evaluator
