"""DB-HAD: distribution-balanced distillation loss.

Pixels are grouped by the teacher's pseudo-label (per class, or foreground /
background for regression tasks). Each group is summarised by the
**geometric** mean of its pixel losses, so that a few large errors in one
group cannot dominate, and the groups are averaged with equal weight so that
frequent classes / large regions do not drown out rare ones.

The public reference code combines the groups differently
(docs/en/reference_parity.md); its choices are the ``group_weighting`` and
``group_reduction`` knobs.
"""
from typing import Optional

import torch
import torch.nn as nn
from torch import Tensor

from mmhad.registry import MODELS
from mmhad.utils.knobs import NON_NEGATIVE, Range, RangeChecked

_MEANS = ('geometric', 'arithmetic')
_WEIGHTINGS = ('equal', 'softmax')
_REDUCTIONS = ('mean_present', 'mean_all', 'sum')


def _check_options(mean: str, group_weighting: str,
                   group_reduction: str) -> None:
    for value, allowed, name in ((mean, _MEANS, 'mean'),
                                 (group_weighting, _WEIGHTINGS,
                                  'group_weighting'),
                                 (group_reduction, _REDUCTIONS,
                                  'group_reduction')):
        if value not in allowed:
            raise ValueError(f'{name} must be one of {allowed}, got '
                             f'{value!r}')


def distribution_balanced_loss(loss_map: Tensor,
                               groups: Tensor,
                               valid: Optional[Tensor] = None,
                               mean: str = 'geometric',
                               eps: float = 1e-6,
                               num_groups: Optional[int] = None,
                               group_weighting: str = 'equal',
                               group_reduction: str = 'mean_present',
                               drop_zeros: bool = False,
                               min_group_fraction: float = 0.
                               ) -> Tensor:
    """Combine per-group mean pixel losses into one scalar.

    Groups are formed over the whole batch (all pixels whose pseudo-label
    falls in group g, in any image).

    Args:
        loss_map (Tensor): Per-pixel loss I, shape (N, H, W), >= 0.
        groups (Tensor): Long group ids in ``[0, num_groups)``, shape
            (N, H, W); a negative id puts a pixel in no group.
        valid (Tensor, optional): Bool mask (N, H, W) of pixels to use.
        mean (str): Mean inside a group: ``'geometric'``
            (exp(mean(log(I + eps))), the paper) or ``'arithmetic'``.
        eps (float): Added to I before the logarithm.
        num_groups (int, optional): Number of possible groups (classes, or
            2 for foreground/background); by default the largest id + 1.
            Only ``group_reduction='mean_all'`` and ``'softmax'`` weighting
            see groups without pixels.
        group_weighting (str): ``'equal'`` (the paper) or ``'softmax'``:
            group terms are multiplied by softmax(-group means) over all
            ``num_groups`` groups, detached (the reference code's
            segmentation DB; empty groups enter with mean 0).
        group_reduction (str): ``'mean_present'``: average over the C
            non-empty groups (the paper); ``'mean_all'``: average over all
            ``num_groups`` groups, empty ones adding 0 (the reference code's
            segmentation DB); ``'sum'``: sum of the group terms (the
            reference code's regression DB).
        drop_zeros (bool): Leave out pixels whose loss is exactly 0 (the
            reference code's geometric mean, used there with ``eps=0``:
            log(0) would be -inf).
        min_group_fraction (float): Groups holding fewer than this fraction
            of the used pixels are left out (a guard against a weak
            teacher's rare, mostly wrong classes weighing as much as the
            large ones); 0 keeps every group.

    Returns:
        Tensor: Scalar. 0, with a zero gradient, when no pixel is valid.
    """
    _check_options(mean, group_weighting, group_reduction)
    if loss_map.shape != groups.shape:
        raise ValueError(f'loss_map {tuple(loss_map.shape)} and groups '
                         f'{tuple(groups.shape)} must have the same shape')
    values = loss_map.float().flatten()
    ids = groups.flatten().long()
    keep = ids >= 0
    if valid is not None:
        keep &= valid.flatten()
    if drop_zeros:
        keep &= values != 0
    values, ids = values[keep], ids[keep]
    if values.numel() == 0:
        return loss_map.sum() * 0
    largest = int(ids.max()) + 1
    if num_groups is None:
        num_groups = largest
    elif largest > num_groups:
        raise ValueError(f'group ids must lie in [0, {num_groups}), got '
                         f'[{int(ids.min())}, {largest - 1}]')
    if mean == 'geometric':
        values = torch.log(values.clamp(min=0) + eps)
    sums = values.new_zeros(num_groups).index_add(0, ids, values)
    counts = torch.bincount(ids, minlength=num_groups)
    present = counts > 0
    if min_group_fraction > 0:
        present &= counts >= min_group_fraction * ids.numel()
        if not present.any():
            return loss_map.sum() * 0
    group_means = sums / counts.clamp(min=1)
    if mean == 'geometric':
        group_means = torch.exp(group_means)
    # Empty groups contribute 0, whatever the mean.
    group_means = group_means * present
    if group_weighting == 'softmax':
        weights = torch.softmax(-group_means.detach(), dim=0)
        group_means = group_means * weights
    if group_reduction == 'sum':
        return group_means.sum()
    if group_reduction == 'mean_all':
        return group_means.sum() / num_groups
    return group_means.sum() / present.sum()


@MODELS.register_module()
class DistributionBalancedLoss(RangeChecked, nn.Module):
    """Module form of :func:`distribution_balanced_loss`.

    Args:
        mean (str): ``'geometric'`` or ``'arithmetic'``.
        eps (float): Added before the logarithm of the geometric mean.
        group_weighting (str): ``'equal'`` or ``'softmax'``.
        group_reduction (str): ``'mean_present'``, ``'mean_all'`` or
            ``'sum'``.
        drop_zeros (bool): Leave out pixels whose loss is exactly 0.
        min_group_fraction (float): Smallest group kept, as a fraction of
            the used pixels.
        loss_name (str): Prefix of the logged loss keys.
    """

    KNOBS = dict(eps=NON_NEGATIVE,
                 min_group_fraction=Range(0., 1., high_open=True))

    def __init__(self,
                 mean: str = 'geometric',
                 eps: float = 1e-6,
                 group_weighting: str = 'equal',
                 group_reduction: str = 'mean_present',
                 drop_zeros: bool = False,
                 min_group_fraction: float = 0.,
                 loss_name: str = 'loss_db') -> None:
        super().__init__()
        # Fail at build time, not at the first distillation step.
        _check_options(mean, group_weighting, group_reduction)
        self.mean = mean
        self.eps = eps
        self.group_weighting = group_weighting
        self.group_reduction = group_reduction
        self.drop_zeros = drop_zeros
        self.min_group_fraction = min_group_fraction
        self._loss_name = loss_name

    def forward(self,
                loss_map: Tensor,
                groups: Tensor,
                valid: Optional[Tensor] = None,
                num_groups: Optional[int] = None) -> Tensor:
        """Args: see :func:`distribution_balanced_loss`."""
        return distribution_balanced_loss(loss_map, groups, valid, self.mean,
                                          self.eps, num_groups,
                                          self.group_weighting,
                                          self.group_reduction,
                                          self.drop_zeros,
                                          self.min_group_fraction)

    @property
    def loss_name(self) -> str:
        return self._loss_name
