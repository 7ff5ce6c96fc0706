# HAD on NYUv2 with ConvNeXt-atto (_base_/models/other_backbones.py), the
# reference network's head layout.
_base_ = ['./had_r18_nyuv2.py', '../_base_/models/other_backbones.py']
model = dict(architecture=dict(backbone={{_base_.convnext_atto}},
                               decode_head=dict(in_channels=320)))
