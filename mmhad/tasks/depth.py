from typing import Dict

from torch import Tensor

from mmhad.evaluation.functional import depth_error_metrics, depth_error_stats
from mmhad.registry import DENSE_TASKS
from .base import RegressionTask


@DENSE_TASKS.register_module()
class DepthTask(RegressionTask):
    """Monocular depth: one raw (unactivated) scalar per pixel.

    Prediction, ground truth and pseudo-label: (N, 1, H, W); ground-truth 0
    marks pixels without depth. Loss: L1 over valid pixels.
    """

    METRICS = dict(abs_err='lower', rel_err='lower')

    @property
    def out_channels(self) -> int:
        return 1

    def activate(self, logits: Tensor) -> Tensor:
        return logits

    def valid_mask(self, gt: Tensor) -> Tensor:
        return gt[:, 0] != 0

    def pixel_loss(self, pred: Tensor, target: Tensor) -> Tensor:
        return (pred.float() - target.float()).abs()[:, 0]

    def metric_stats(self, pred: Tensor, gt: Tensor) -> Dict[str, Tensor]:
        return depth_error_stats(pred, gt)

    def compute_metrics(self, stats: Dict[str, Tensor]) -> Dict[str, float]:
        return depth_error_metrics(stats)
