"""DeepLabV3 head in torchvision's ``DeepLabHead`` layout (the HAD
reference)."""
from typing import Sequence

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.models.utils import resize
from torch import Tensor

from mmhad.registry import MODELS


@MODELS.register_module()
class TorchvisionDeepLabHead(BaseDecodeHead):
    """ASPP -> projection with dropout -> 3x3 conv -> 1x1 classifier.

    The layout of torchvision's ``DeepLabHead``, which the HAD reference code
    uses for every task:

    - ASPP: a 1x1 conv, one 3x3 conv per rate in ``dilations``, and image
      pooling (1x1 conv, upsampled back with ``align_corners=False``), each
      ``channels`` wide with BN + ReLU;
    - projection of the concatenation to ``channels`` (1x1 conv, BN, ReLU)
      followed by ``Dropout(project_dropout)``;
    - a 3x3 conv (BN, ReLU) and the classifier (``conv_seg``, with bias).

    mmseg's ``ASPPHead`` differs: its pooling branch comes first, its
    bottleneck after the concatenation is a 3x3 conv, and its dropout sits
    right before the classifier. R18 with the three NYUv2 heads has
    25,347,409 parameters in this layout (the reference's count).

    Initialisation (``weight_init``): ``'mmcv'`` is mmseg's (kaiming-normal
    convs from mmcv's ``ConvModule``, classifier N(0, 0.01));
    ``'pytorch'`` keeps PyTorch's default init of every conv and BN layer
    (kaiming-uniform with a = sqrt(5), BN weight 1 and bias 0), as
    torchvision's ``DeepLabHead`` and so the reference code start. The two
    differ 2.5-5.5x in weight spread: the ASPP 1x1 conv (512 inputs) has
    std 0.088 with mmcv and 0.025 with PyTorch, the classifier (256 inputs)
    0.010 and 0.036.

    Args:
        dilations (Sequence[int]): Rates of the 3x3 ASPP branches.
        project_dropout (float): Dropout after the projection.
        weight_init (str): ``'mmcv'`` or ``'pytorch'``, see above.
        **kwargs: See mmseg's ``BaseDecodeHead`` (``in_channels``,
            ``channels``, ``num_classes``, ``norm_cfg`` ...);
            ``dropout_ratio`` (before the classifier) is 0 here.
    """

    def __init__(self,
                 dilations: Sequence[int] = (12, 24, 36),
                 project_dropout: float = 0.5,
                 weight_init: str = 'mmcv',
                 **kwargs) -> None:
        if weight_init not in ('mmcv', 'pytorch'):
            raise ValueError(f'weight_init={weight_init!r}; expected '
                             "'mmcv' or 'pytorch'")
        kwargs.setdefault('dropout_ratio', 0.)
        super().__init__(**kwargs)
        self.weight_init = weight_init

        def conv(in_channels, kernel_size=1, dilation=1):
            return ConvModule(
                in_channels,
                self.channels,
                kernel_size,
                padding=dilation * (kernel_size // 2),
                dilation=dilation,
                conv_cfg=self.conv_cfg,
                norm_cfg=self.norm_cfg,
                act_cfg=self.act_cfg)

        self.aspp_convs = nn.ModuleList(
            [conv(self.in_channels)] +
            [conv(self.in_channels, 3, rate) for rate in dilations])
        self.image_pool = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), conv(self.in_channels))
        self.project = nn.Sequential(
            conv(self.channels * (len(dilations) + 2)),
            nn.Dropout(project_dropout))
        self.bottleneck = conv(self.channels, 3)

    def init_weights(self) -> None:
        """mmseg's init, or PyTorch's defaults (``weight_init='pytorch'``)."""
        if self.weight_init == 'mmcv':
            super().init_weights()
            return
        for module in self.modules():
            if isinstance(module, (nn.Conv2d, nn.BatchNorm2d)):
                module.reset_parameters()

    def forward(self, inputs) -> Tensor:
        """Logits (N, num_classes, h, w) at the feature resolution."""
        x = self._transform_inputs(inputs)
        branches = [branch(x) for branch in self.aspp_convs]
        branches.append(
            resize(
                self.image_pool(x),
                size=x.shape[2:],
                mode='bilinear',
                align_corners=False))
        feats = self.bottleneck(self.project(torch.cat(branches, dim=1)))
        return self.cls_seg(feats)
