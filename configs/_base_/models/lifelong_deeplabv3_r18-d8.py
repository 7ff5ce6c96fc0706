# Shared dilated ResNet-18 (output stride 8) and one DeepLabV3 ASPP head per
# task (rates 12/24/36, 256 channels, dropout 0.5), as in the paper.
# The top-level config's datasets declare the tasks (the model takes them
# from the training set) and its `model.components` the method (none:
# fine-tuning).
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='LifelongAlgorithm',
    data_preprocessor=dict(type='MultiTaskDataPreprocessor',
                           mean=[0.485, 0.456, 0.406],
                           std=[0.229, 0.224, 0.225]),
    architecture=dict(
        type='LifelongDensePredictor',
        backbone=dict(
            type='ResNetV1c',
            depth=18,
            num_stages=4,
            out_indices=(3, ),
            dilations=(1, 1, 2, 4),
            strides=(1, 2, 1, 1),
            norm_cfg=norm_cfg,
            norm_eval=False,
            style='pytorch',
            contract_dilation=True,
            # ImageNet weights, fetched by mmengine on an online machine;
            # from scratch:
            # --cfg-options model.architecture.backbone.init_cfg=None
            init_cfg=dict(type='Pretrained',
                          checkpoint='open-mmlab://resnet18_v1c')),
        decode_head=dict(type='ASPPHead',
                         in_channels=512,
                         in_index=0,
                         channels=256,
                         dilations=(1, 12, 24, 36),
                         dropout_ratio=0.5,
                         norm_cfg=norm_cfg,
                         align_corners=False)),
    components=dict())
