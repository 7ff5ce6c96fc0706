# Fine-tuning with the reference code's protocol in every detail that
# changes numbers: its training loader (shuffle=False, drop_last=True), its
# evaluation (depth and normal metrics per validation batch of 64, then
# averaged over batches; a ground-truth normal is valid when its components
# do not sum to 0; angles from acos of the raw dot product, which the normal
# loss uses too), and its heads' initialisation (PyTorch's default conv and
# BN init, as torchvision's DeepLabHead; every other config keeps mmseg's).
# The lower bound of had_reference_r18_nyuv2.py.
_base_ = ['./finetune_r18_nyuv2.py']
# the reference's normal validity and similarity, declared where the tasks
# are: in the datasets
tasks = dict(
    semantic=dict(type='SemanticTask', num_classes=13, ignore_index=-1),
    depth=dict(type='DepthTask'),
    normal=dict(type='NormalTask', valid_rule='sum_nonzero',
                similarity='dot'))
model = dict(architecture=dict(decode_head=dict(weight_init='pytorch')))
train_dataloader = dict(
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(tasks=tasks))
val_dataloader = dict(batch_size=64, dataset=dict(tasks=tasks))
test_dataloader = val_dataloader
val_evaluator = dict(type='DenseTaskMetric', average='batch')
test_evaluator = val_evaluator
