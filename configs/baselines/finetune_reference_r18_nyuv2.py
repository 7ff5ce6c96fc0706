# Fine-tuning with the reference code's protocol in every detail that
# changes numbers: its training loader (shuffle=False, drop_last=True), its
# evaluation (depth and normal metrics per validation batch of 64, then
# averaged over batches; a ground-truth normal is valid when its components
# do not sum to 0; angles from acos of the raw dot product, which the normal
# loss uses too), and its heads' initialisation (PyTorch's default conv and
# BN init, as torchvision's DeepLabHead; every other config keeps mmseg's).
# The lower bound of had_reference_r18_nyuv2.py.
_base_ = ['./finetune_r18_nyuv2.py']
tasks = dict(semantic=dict(type='SemanticTask',
                           num_classes=13,
                           ignore_index=-1),
             depth=dict(type='DepthTask'),
             normal=dict(type='NormalTask',
                         valid_rule='sum_nonzero',
                         similarity='dot'))
model = dict(
    architecture=dict(tasks=tasks, decode_head=dict(weight_init='pytorch')))
train_dataloader = dict(drop_last=True,
                        sampler=dict(type='DefaultSampler', shuffle=False))
val_dataloader = dict(batch_size=64)
test_dataloader = val_dataloader
val_evaluator = dict(type='DenseTaskMetric', tasks=tasks, average='batch')
test_evaluator = val_evaluator
