# Pretrains the encoder of the synthetic configs (quarter-width dilated
# ResNet-18, configs/_base_/models/lifelong_deeplabv3_r18-d8-quarter.py) on
# FractalDB-style fractals at the synthetic images' 64x80:
#   python tools/pretrain.py \
#       configs/pretrain/fractaldb100_r18-d8-quarter_64x80.py
# writes work_dirs/<this config>/backbone.pth; the shipped copy is
# checkpoints/fractaldb100_r18-d8-quarter_64x80.pth.
_base_ = [
    '../_base_/models/lifelong_deeplabv3_r18-d8-quarter.py',
    '../_base_/pretrain/fractaldb100_64x80.py'
]
model = dict(
    _delete_=True,
    type='PretextClassifier',
    data_preprocessor={{_base_.model.data_preprocessor}},
    backbone={{_base_.model.architecture.backbone}},
    in_channels=128,
    num_classes={{_base_.num_classes}})
