from typing import Dict

from torch import Tensor

from mmhad.evaluation.functional import (EXTENDED_DEPTH_METRICS,
                                         depth_error_metrics,
                                         depth_error_stats)
from mmhad.registry import DENSE_TASKS
from .base import RegressionTask


@DENSE_TASKS.register_module()
class DepthTask(RegressionTask):
    """Monocular depth: one raw (unactivated) scalar per pixel.

    Prediction, ground truth and pseudo-label: (N, 1, H, W); ground-truth 0
    marks pixels without depth. Loss: L1 over valid pixels.

    Args:
        name (str): Task name.
        extended_metrics (bool): Report mmseg's ``DepthMetric`` set (d1-d3,
            abs_rel, sq_rel, rmse, rmse_log, log10, silog) besides
            ``abs_err`` and ``rel_err``.
        **kwargs: See :class:`DenseTask`.
    """

    METRICS = dict(abs_err='lower', rel_err='lower')
    UNIT = 'm'

    def __init__(self,
                 name: str,
                 extended_metrics: bool = False,
                 **kwargs) -> None:
        super().__init__(name, **kwargs)
        self.extended_metrics = extended_metrics
        if extended_metrics:
            self.METRICS = {**self.METRICS, **EXTENDED_DEPTH_METRICS}

    @property
    def out_channels(self) -> int:
        return 1

    def activate(self, logits: Tensor) -> Tensor:
        return logits

    def check_gt(self, gt: Tensor) -> None:
        if (gt < 0).any():
            raise ValueError(f'task {self.name!r}: negative depth '
                             f'{float(gt.min()):g} (0 marks missing depth)')

    def valid_mask(self, gt: Tensor) -> Tensor:
        return gt[:, 0] != 0

    def pixel_loss(self, pred: Tensor, target: Tensor) -> Tensor:
        return (pred.float() - target.float()).abs()[:, 0]

    def metric_stats(self, pred: Tensor, gt: Tensor) -> Dict[str, Tensor]:
        return depth_error_stats(pred, gt, self.extended_metrics)

    def compute_metrics(self, stats: Dict[str, Tensor]) -> Dict[str, float]:
        return depth_error_metrics(stats)
