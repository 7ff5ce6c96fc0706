"""Pair-wise (structured) feature distillation (Liu et al., structured KD
for dense prediction)."""
from typing import Dict, Optional

import torch.nn.functional as F
from torch import Tensor

from mmhad.registry import MODELS
from mmhad.utils.knobs import COUNT, NON_NEGATIVE
from .base import LossComponent


def pairwise_similarity(feat: Tensor) -> Tensor:
    """Cosine similarity between all positions of a feature map.

    Args:
        feat (Tensor): Features (N, C, h, w).

    Returns:
        Tensor: Similarities (N, h*w, h*w).
    """
    flat = F.normalize(feat.float().flatten(2), dim=1)  # (N, C, hw)
    return flat.transpose(1, 2) @ flat


@MODELS.register_module()
class StructuredDistillation(LossComponent):
    """Keep the pair-wise similarity structure of the shared features.

    ``loss_pair = weight * mean((S_student - S_teacher)^2)`` with ``S`` the
    cosine similarity of every pair of positions of the last feature map,
    after average pooling by ``pool`` (the number of pairs grows with the
    square of the positions).

    Args:
        loss_weight (float): ``weight`` above.
        pool (int): Average-pooling kernel (and stride) before comparing.
    """

    kind = 'distill'
    needs_teacher = True

    KNOBS = dict(loss_weight=NON_NEGATIVE, pool=COUNT)

    #: Old names of knobs, still accepted (with a warning).
    RENAMED = dict(pair_weight='loss_weight')

    def __init__(self,
                 loss_weight: float = 1.0,
                 pool: int = 2,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        if pool < 1:
            raise ValueError(f'pool must be >= 1, got {pool}')
        self.loss_weight = loss_weight
        self.pool = pool

    def _similarity(self, feat: Tensor) -> Tensor:
        if self.pool > 1:
            feat = F.avg_pool2d(
                feat, self.pool, self.pool, ceil_mode=True)
        return pairwise_similarity(feat)

    def losses(self, step) -> Dict[str, Tensor]:
        if self.algorithm.teacher is None:
            return {}
        target = self._similarity(step.teacher_feats()[-1])
        student = self._similarity(step.feats[-1])
        return {
            'loss_pair': self.loss_weight * ((student - target)**2).mean()
        }
