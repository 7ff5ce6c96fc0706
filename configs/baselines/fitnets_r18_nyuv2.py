# FitNets-style hint on the backbone output, with a learned 1x1 regressor.
_base_ = ['./finetune_r18_nyuv2.py']
model = dict(components=dict(fitnets=dict(
    type='FeatureDistillation',
    loss_weight=1.0,
    regressor=True,
    feat_channels={{_base_.model.architecture.decode_head.in_channels}})))
