# Cityscapes in the pre-processed multi-task layout (7 classes + disparity,
# 128x256, 2975 train / 500 val):
# data_root/{train,val}/{image,label_7,label_19,depth}/*.npy (or a single
# label/ folder with the 7 classes). Loaders and pipeline as NYUv2's;
# num_classes=19 reads label_19/ and the semantic task's classes.
_base_ = ['./nyuv2.py']
dataset_type = 'CityscapesDataset'
data_root = 'data/cityscapes'
num_classes = 7
cityscapes_tasks = dict(
    semantic=dict(
        type='SemanticTask', num_classes=num_classes, ignore_index=-1),
    # disparity (inverse depth), scored as stored
    depth=dict(type='DepthTask'))
tasks = dict(_delete_=True, **cityscapes_tasks)  # NYUv2's normal goes
_dataset = dict(
    type=dataset_type,
    data_root=data_root,
    num_classes=num_classes,
    tasks=dict(_delete_=True, **cityscapes_tasks))
train_dataloader = dict(dataset=_dataset)
val_dataloader = dict(dataset=_dataset)
test_dataloader = val_dataloader
val_evaluator = dict(type='DenseTaskMetric')
test_evaluator = val_evaluator
