# HAD on the synthetic rooms with mmpretrain's ConvNeXt-atto as the shared
# backbone (output stride 32, 320 channels; _base_/models/other_backbones.py).
_base_ = ['./had_r18_synthetic.py', '../_base_/models/other_backbones.py']
model = dict(
    architecture=dict(backbone={{_base_.convnext_atto}},
                      decode_head=dict(in_channels=320, dilations=(1, 2, 3,
                                                                   4))))
