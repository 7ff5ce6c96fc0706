# mmhad's own NYUv2 protocol, as an override of the paper's (which the
# NYUv2, Cityscapes, PASCAL-Context and Taskonomy bases carry): a shuffled
# training loader, metrics over every valid pixel of the validation set,
# normals valid where non-zero and compared by cosine, and mmseg's
# initialisation of the heads. Configs apply it with
# `train_dataloader = {{_base_.mmhad_protocol.train_dataloader}}` and so on
# (baselines/finetune-mm_r18_nyuv2.py); a study method with
# `options={{_base_.mmhad_protocol}}` (studies/regimes/weak.py).
_mmhad_tasks = dict(
    normal=dict(type='NormalTask', valid_rule='nonzero', similarity='cosine'))
mmhad_protocol = dict(
    model=dict(architecture=dict(decode_head=dict(weight_init='mmcv'))),
    train_dataloader=dict(
        sampler=dict(shuffle=True), dataset=dict(tasks=_mmhad_tasks)),
    val_dataloader=dict(batch_size=16, dataset=dict(tasks=_mmhad_tasks)),
    test_dataloader=dict(batch_size=16, dataset=dict(tasks=_mmhad_tasks)),
    val_evaluator=dict(average='pixel'),
    test_evaluator=dict(average='pixel'))
