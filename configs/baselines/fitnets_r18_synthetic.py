_base_ = ['./finetune_r18_synthetic.py']
model = dict(components=dict(fitnets=dict(
    type='FeatureDistillation',
    loss_weight=1.0,
    regressor=True,
    feat_channels={{_base_.model.architecture.decode_head.in_channels}})))
