from typing import Dict

import torch.nn.functional as F
from torch import Tensor

from mmhad.evaluation.functional import (normal_angle_metrics,
                                         normal_angle_stats,
                                         normal_valid_mask)
from mmhad.registry import DENSE_TASKS
from .base import RegressionTask


@DENSE_TASKS.register_module()
class NormalTask(RegressionTask):
    """Surface normals: a unit 3-vector per pixel.

    Prediction and pseudo-label: L2-normalised (N, 3, H, W); ground truth of
    the same shape with all-zero vectors where there is none. Loss: 1 -
    cosine similarity over valid pixels.
    """

    METRICS = {
        'mean_angle': 'lower',
        'median_angle': 'lower',
        'within_11.25': 'higher',
        'within_22.5': 'higher',
        'within_30': 'higher',
    }

    @property
    def out_channels(self) -> int:
        return 3

    def activate(self, logits: Tensor) -> Tensor:
        return F.normalize(logits, p=2, dim=1)

    def valid_mask(self, gt: Tensor) -> Tensor:
        return normal_valid_mask(gt)

    def pixel_loss(self, pred: Tensor, target: Tensor) -> Tensor:
        return 1 - F.cosine_similarity(pred.float(), target.float(), dim=1)

    def metric_stats(self, pred: Tensor, gt: Tensor) -> Dict[str, Tensor]:
        return normal_angle_stats(pred, gt)

    def compute_metrics(self, stats: Dict[str, Tensor]) -> Dict[str, float]:
        return normal_angle_metrics(stats)
