"""DB-HAD: distribution-balanced distillation loss.

Pixels are grouped by the teacher's pseudo-label (per class, or foreground /
background for regression tasks). Each group is summarised by the
**geometric** mean of its pixel losses, so that a few large errors in one
group cannot dominate, and the groups are averaged with equal weight so that
frequent classes / large regions do not drown out rare ones.
"""
from typing import Optional

import torch
import torch.nn as nn
from torch import Tensor

from mmhad.registry import MODELS


def distribution_balanced_loss(loss_map: Tensor,
                               groups: Tensor,
                               valid: Optional[Tensor] = None,
                               mean: str = 'geometric',
                               eps: float = 1e-6) -> Tensor:
    """Equal-weight average over groups of a per-group mean pixel loss.

    Groups are formed over the whole batch (all pixels whose pseudo-label
    falls in group g, in any image).

    Args:
        loss_map (Tensor): Per-pixel loss I, shape (N, H, W), >= 0.
        groups (Tensor): Long group ids >= 0, shape (N, H, W).
        valid (Tensor, optional): Bool mask (N, H, W) of pixels to use.
        mean (str): ``'geometric'`` (exp(mean(log(I + eps))), the paper) or
            ``'arithmetic'`` (the ablation).
        eps (float): Added to I before the logarithm.

    Returns:
        Tensor: Scalar: (1 / C) * sum over the C non-empty groups. 0, with a
        zero gradient, when no pixel is valid.
    """
    if mean not in ('geometric', 'arithmetic'):
        raise ValueError(f"mean must be 'geometric' or 'arithmetic', "
                         f'got {mean!r}')
    if loss_map.shape != groups.shape:
        raise ValueError(f'loss_map {tuple(loss_map.shape)} and groups '
                         f'{tuple(groups.shape)} must have the same shape')
    values = loss_map.float().flatten()
    ids = groups.flatten().long()
    if valid is not None:
        keep = valid.flatten()
        values, ids = values[keep], ids[keep]
    if values.numel() == 0:
        return loss_map.sum() * 0
    if mean == 'geometric':
        values = torch.log(values.clamp(min=0) + eps)
    num_groups = int(ids.max()) + 1
    sums = values.new_zeros(num_groups).index_add(0, ids, values)
    counts = torch.bincount(ids, minlength=num_groups)
    present = counts > 0
    group_means = sums[present] / counts[present]
    if mean == 'geometric':
        group_means = torch.exp(group_means)
    return group_means.mean()


@MODELS.register_module()
class DistributionBalancedLoss(nn.Module):
    """Module form of :func:`distribution_balanced_loss`.

    Args:
        mean (str): ``'geometric'`` or ``'arithmetic'``.
        eps (float): Added before the logarithm of the geometric mean.
        loss_name (str): Prefix of the logged loss keys.
    """

    def __init__(self,
                 mean: str = 'geometric',
                 eps: float = 1e-6,
                 loss_name: str = 'loss_db') -> None:
        super().__init__()
        self.mean = mean
        self.eps = eps
        self._loss_name = loss_name

    def forward(self,
                loss_map: Tensor,
                groups: Tensor,
                valid: Optional[Tensor] = None) -> Tensor:
        return distribution_balanced_loss(loss_map, groups, valid, self.mean,
                                          self.eps)

    @property
    def loss_name(self) -> str:
        return self._loss_name
