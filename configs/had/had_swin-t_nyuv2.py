# HAD on NYUv2 with Swin-T (_base_/models/other_backbones.py), the reference
# network's head layout.
_base_ = ['./had_r18_nyuv2.py', '../_base_/models/other_backbones.py']
model = dict(architecture=dict(backbone={{_base_.swin_tiny}},
                               decode_head=dict(in_channels=768)))
