"""FitNets-style hint distillation of backbone features (Romero et al.)."""
from typing import Dict, Optional

import torch
import torch.nn as nn
from torch import Tensor

from mmhad.registry import MODELS
from mmhad.utils.knobs import COUNT, NON_NEGATIVE
from .base import LossComponent


@MODELS.register_module()
class FeatureDistillation(LossComponent):
    """Keep the shared features close to the previous model's.

    ``loss_hint = weight * mean((r(f_student) - f_teacher)^2)`` on the last
    backbone (+ neck) feature map, where ``r`` is a learned 1x1 convolution
    (FitNets' regressor, initialised to the identity) or the identity. The
    teacher is a snapshot of the student, so the channels always match; the
    regressor gives the student room to re-arrange its features.

    Args:
        loss_weight (float): ``weight`` above.
        regressor (bool): Learn the 1x1 regressor ``r``.
        feat_channels (int, optional): Channels of the distilled feature
            map; needed with ``regressor=True`` (``decode_head.in_channels``
            of the config).
    """

    kind = 'distill'
    needs_teacher = True

    KNOBS = dict(loss_weight=NON_NEGATIVE, feat_channels=COUNT)

    #: Old names of knobs, still accepted (with a warning).
    RENAMED = dict(hint_weight='loss_weight')

    def __init__(self,
                 loss_weight: float = 1.0,
                 regressor: bool = False,
                 feat_channels: int = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.loss_weight = loss_weight
        self.regressor = nn.Identity()
        if regressor:
            if not feat_channels:
                raise ValueError('FeatureDistillation(regressor=True) needs '
                                 'feat_channels (the backbone output '
                                 'channels, decode_head.in_channels)')
            self.regressor = nn.Conv2d(feat_channels, feat_channels, 1)
            with torch.no_grad():
                self.regressor.weight.copy_(
                    torch.eye(feat_channels)[:, :, None, None])
                self.regressor.bias.zero_()

    def losses(self, step) -> Dict[str, Tensor]:
        if self.algorithm.teacher is None:
            return {}
        target = step.teacher_feats()[-1]
        hint = self.regressor(step.feats[-1])
        return {
            'loss_hint': self.loss_weight *
            ((hint.float() - target.float())**2).mean()
        }
