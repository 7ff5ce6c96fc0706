# HAD on the synthetic rooms with mmpretrain's Swin-T as the shared backbone
# (output stride 32, 768 channels; _base_/models/other_backbones.py).
_base_ = ['./had_r18_synthetic.py', '../_base_/models/other_backbones.py']
model = dict(
    architecture=dict(backbone={{_base_.swin_tiny}},
                      decode_head=dict(in_channels=768, dilations=(1, 2, 3,
                                                                   4))))
