"""A general dense regression kind (Taskonomy's keypoints, edges,
reshading, curvature, euclidean depth, ...)."""
from typing import Dict, Optional, Sequence, Union

import numpy as np
import torch
from torch import Tensor

from mmhad.registry import DENSE_TASKS
from .base import RegressionTask, masked_mean

_LOSSES = ('l1', 'l2')


@DENSE_TASKS.register_module()
class DenseRegressionTask(RegressionTask):
    """C raw values per pixel, learnt in a normalised space.

    Ground truth is stored as released (e.g. 16-bit integers) and mapped to
    ``(gt - shift) / scale`` for the loss and the metrics; predictions and
    pseudo-labels live in that normalised space. A pixel is valid unless any
    channel equals ``invalid_value`` or leaves ``valid_range`` (both tested
    on the stored values).

    Args:
        name (str): Task name.
        channels (int): Values per pixel C.
        loss (str): ``'l1'`` or ``'l2'``, averaged over channels.
        invalid_value (float, optional): Sentinel of pixels without label
            (65535 in Taskonomy's 16-bit maps).
        valid_range (Sequence[float], optional): ``(low, high)`` of valid
            stored values, inclusive.
        scale (float | Sequence[float]): Normalisation divisor, one or one
            per channel.
        shift (float | Sequence[float]): Normalisation offset, likewise.
        **kwargs: See :class:`DenseTask`.

    Metric: ``abs_err``, the mean absolute error over valid pixels and
    channels, in the normalised space.
    """

    METRICS = dict(abs_err='lower')

    def __init__(self,
                 name: str,
                 channels: int = 1,
                 loss: str = 'l1',
                 invalid_value: Optional[float] = None,
                 valid_range: Optional[Sequence[float]] = None,
                 scale: Union[float, Sequence[float]] = 1.0,
                 shift: Union[float, Sequence[float]] = 0.0,
                 **kwargs) -> None:
        super().__init__(name, **kwargs)
        if loss not in _LOSSES:
            raise ValueError(f'task {name!r}: loss must be one of {_LOSSES},'
                             f' got {loss!r}')
        if 0 in np.atleast_1d(scale):
            raise ValueError(f'task {name!r}: scale must not be 0')
        self.channels = channels
        self.loss_type = loss
        self.invalid_value = invalid_value
        self.valid_range = valid_range
        # (1, C, 1, 1) or scalar, to broadcast over (N, C, H, W)
        self.scale = torch.tensor(scale, dtype=torch.float32).view(1, -1, 1, 1)
        self.shift = torch.tensor(shift, dtype=torch.float32).view(1, -1, 1, 1)

    @property
    def out_channels(self) -> int:
        return self.channels

    def activate(self, logits: Tensor) -> Tensor:
        return logits

    def normalize(self, gt: Tensor) -> Tensor:
        """Stored ground truth -> the space of the predictions."""
        return (gt.float() - self.shift.to(gt.device)) / self.scale.to(
            gt.device)

    def valid_mask(self, gt: Tensor) -> Tensor:
        invalid = gt.isnan()
        if self.invalid_value is not None:
            invalid |= gt == self.invalid_value
        if self.valid_range is not None:
            low, high = self.valid_range
            invalid |= (gt < low) | (gt > high)
        return ~invalid.any(dim=1)

    def pixel_loss(self, pred: Tensor, target: Tensor) -> Tensor:
        diff = pred.float() - target.float()
        return (diff.abs() if self.loss_type == 'l1' else diff**2).mean(1)

    def _target(self, gt: Tensor, valid: Tensor) -> Tensor:
        """Normalised ground truth, 0 where ``valid`` is False: a NaN left
        there would make the masked mean NaN (NaN * 0), and its gradient."""
        return torch.where(valid[:, None], self.normalize(gt), 0.)

    def loss(self, pred: Tensor, gt: Tensor) -> Tensor:
        self.check_gt(gt)
        valid = self.valid_mask(gt)
        return self.loss_weight * masked_mean(
            self.pixel_loss(pred, self._target(gt, valid)), valid)

    def metric_stats(self, pred: Tensor, gt: Tensor) -> Dict[str, Tensor]:
        valid = self.valid_mask(gt)
        error = (pred.float() - self._target(gt, valid)).abs().mean(1)
        return dict(abs_sum=(error * valid).double().sum().cpu(),
                    count=valid.sum().double().cpu())

    def compute_metrics(self, stats: Dict[str, Tensor]) -> Dict[str, float]:
        return dict(abs_err=float(stats['abs_sum'] /
                                  stats['count'].clamp(min=1)))
