# The network of the HAD reference code (the paper's tables): torchvision's
# ResNet-18 (7x7 stem) dilated to output stride 8 with every 3x3 conv of
# layer3 / layer4 at dilation 2 / 4 (TorchvisionDilatedResNet), and one
# torchvision-layout DeepLabV3 head per task (ASPP 12/24/36, 256 channels,
# projection + dropout 0.5, 3x3 conv, classifier). Outputs are upsampled with
# align_corners=True. R18 + the three NYUv2 heads: 25,347,409 parameters.
# The heads start as torchvision's DeepLabHead does (PyTorch's default conv
# and BN init, weight_init='pytorch'), as in the reference; mmseg's init is
# weight_init='mmcv' (mmhad's protocol, _base_/protocols/mmhad_nyuv2.py).
# The mmseg-native DeepLabV3 (ResNetV1c + ASPPHead) is
# lifelong_deeplabv3_r18-d8.py.
# The top-level config's datasets declare the tasks (the model takes them
# from the training set) and its `model.components` the method (none:
# fine-tuning).
norm_cfg = dict(type='BN', requires_grad=True)
model = dict(
    type='LifelongAlgorithm',
    # The reference feeds the [0, 1] images to the ImageNet-trained
    # backbone without normalising them.
    data_preprocessor=dict(type='MultiTaskDataPreprocessor',
                           mean=None,
                           std=None),
    architecture=dict(
        type='LifelongDensePredictor',
        align_corners=True,
        backbone=dict(
            type='TorchvisionDilatedResNet',
            depth=18,
            num_stages=4,
            out_indices=(3, ),
            strides=(1, 2, 1, 1),
            dilations=(1, 1, 2, 4),
            norm_cfg=norm_cfg,
            norm_eval=False,
            # torchvision's ImageNet weights, fetched by mmengine on an online
            # machine; from scratch:
            # --cfg-options model.architecture.backbone.init_cfg=None
            init_cfg=dict(type='Pretrained',
                          checkpoint='torchvision://resnet18')),
        decode_head=dict(type='TorchvisionDeepLabHead',
                         in_channels=512,
                         in_index=0,
                         channels=256,
                         dilations=(12, 24, 36),
                         project_dropout=0.5,
                         norm_cfg=norm_cfg,
                         weight_init='pytorch',
                         align_corners=True)),
    components=dict())
