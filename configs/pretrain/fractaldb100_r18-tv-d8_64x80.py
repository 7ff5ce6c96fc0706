# Pretrains the encoder of the NYUv2 configs (torchvision's ResNet-18 at full
# width, dilated to output stride 8, configs/_base_/models/
# lifelong_deeplabv3-tv_r18-d8.py) on FractalDB-style fractals at a small
# resolution, for offline machines where the torchvision ImageNet weights
# cannot be fetched:
#   python tools/pretrain.py configs/pretrain/fractaldb100_r18-tv-d8_64x80.py
# then --cfg-options \
#   model.architecture.backbone.init_cfg.checkpoint=<work dir>/backbone.pth
_base_ = [
    '../_base_/models/lifelong_deeplabv3-tv_r18-d8.py',
    '../_base_/pretrain/fractaldb100_64x80.py'
]
model = dict(
    _delete_=True,
    type='PretextClassifier',
    data_preprocessor={{_base_.model.data_preprocessor}},
    backbone={{_base_.model.architecture.backbone}},
    in_channels=512,
    num_classes={{_base_.num_classes}})
