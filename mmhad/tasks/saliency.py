"""Salient object detection (PASCAL-Context's ``sal``)."""
from typing import Dict

import numpy as np
from torch import Tensor

from mmhad.evaluation.binary_metrics import saliency_metrics, saliency_stats
from mmhad.registry import DENSE_TASKS
from .binary import BinaryTask

#: The thresholds of the saliency literature: 15 from 0.2 to 0.9.
SALIENCY_THRESHOLDS = tuple(np.linspace(0.2, 0.9, 15).tolist())


@DENSE_TASKS.register_module()
class SaliencyTask(BinaryTask):
    """Saliency: the probability that a pixel belongs to a salient object.

    Loss: balanced BCE, the positives weighted by the fraction of negatives
    of the batch unless ``pos_weight`` is set. Metrics over
    :data:`SALIENCY_THRESHOLDS`: ``maxF`` (F-beta, beta^2 = 0.3, of the
    per-image mean precision and recall) and ``max_mIoU`` (the mean
    per-image IoU), each the best over the thresholds.
    """

    METRICS = dict(maxF='higher', max_mIoU='higher')

    def metric_stats(self, pred: Tensor, gt: Tensor) -> Dict[str, Tensor]:
        return saliency_stats(pred[:, 0], gt, self.valid_mask(gt),
                              SALIENCY_THRESHOLDS)

    def compute_metrics(self, stats: Dict[str, Tensor]) -> Dict[str, float]:
        return saliency_metrics(stats)
