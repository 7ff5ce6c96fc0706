"""DeepLabV3 head in torchvision's ``DeepLabHead`` layout (the HAD reference)."""
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

    Args:
        dilations (Sequence[int]): Rates of the 3x3 ASPP branches.
        project_dropout (float): Dropout after the projection.
        **kwargs: See mmseg's ``BaseDecodeHead`` (``in_channels``,
            ``channels``, ``num_classes``, ``norm_cfg`` ...);
            ``dropout_ratio`` (before the classifier) is 0 here.
    """

    def __init__(self,
                 dilations: Sequence[int] = (12, 24, 36),
                 project_dropout: float = 0.5,
                 **kwargs) -> None:
        kwargs.setdefault('dropout_ratio', 0.)
        super().__init__(**kwargs)

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
