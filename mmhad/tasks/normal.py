from typing import Dict

import torch.nn.functional as F
from torch import Tensor

from mmhad.evaluation.functional import (NORMAL_SIMILARITIES,
                                         NORMAL_VALID_RULES,
                                         normal_angle_metrics,
                                         normal_angle_stats, normal_angles,
                                         normal_batch_metrics,
                                         normal_similarity, normal_valid_mask)
from mmhad.registry import DENSE_TASKS
from .base import RegressionTask


@DENSE_TASKS.register_module()
class NormalTask(RegressionTask):
    """Surface normals: a unit 3-vector per pixel.

    Prediction and pseudo-label: L2-normalised (N, 3, H, W); ground truth of
    the same shape with all-zero vectors where there is none. Loss: 1 -
    cosine similarity over valid pixels.

    Args:
        name (str): Task name.
        valid_rule (str): Which ground-truth normals count, in the loss and
            the metrics: ``'nonzero'`` or ``'sum_nonzero'`` (the reference
            code), see :data:`~mmhad.evaluation.functional.NORMAL_VALID_RULES`.
        similarity (str): ``'cosine'`` or ``'dot'`` (the reference code: the
            raw dot product with the ground truth as stored), in the loss
            and the angles.
        **kwargs: See :class:`DenseTask`.
    """

    OUTPUT_FORM = 'unit_vectors'
    METRICS = {
        'mean_angle': 'lower',
        'median_angle': 'lower',
        'within_11.25': 'higher',
        'within_22.5': 'higher',
        'within_30': 'higher',
    }

    def __init__(self,
                 name: str,
                 valid_rule: str = 'nonzero',
                 similarity: str = 'cosine',
                 **kwargs) -> None:
        super().__init__(name, **kwargs)
        for value, allowed, key in ((valid_rule, NORMAL_VALID_RULES,
                                     'valid_rule'),
                                    (similarity, NORMAL_SIMILARITIES,
                                     'similarity')):
            if value not in allowed:
                raise ValueError(f'task {name!r}: {key} must be one of '
                                 f'{allowed}, got {value!r}')
        self.valid_rule = valid_rule
        self.similarity = similarity

    @property
    def out_channels(self) -> int:
        return 3

    def activate(self, logits: Tensor) -> Tensor:
        return F.normalize(logits, p=2, dim=1)

    def check_gt(self, gt: Tensor) -> None:
        # a little slack for normals rounded when they were stored
        if gt.abs().max() > 1.01:
            raise ValueError(f'task {self.name!r}: normal components must '
                             f'lie in [-1, 1], got {float(gt.abs().max()):g}')

    def valid_mask(self, gt: Tensor) -> Tensor:
        return normal_valid_mask(gt, self.valid_rule)

    def pixel_loss(self, pred: Tensor, target: Tensor) -> Tensor:
        return 1 - normal_similarity(pred, target, self.similarity)

    def metric_stats(self, pred: Tensor, gt: Tensor) -> Dict[str, Tensor]:
        return normal_angle_stats(pred, gt, self.valid_rule, self.similarity)

    def batch_metrics(self, pred: Tensor, gt: Tensor) -> Dict[str, float]:
        return normal_batch_metrics(
            normal_angles(pred, gt, self.valid_rule, self.similarity))

    def compute_metrics(self, stats: Dict[str, Tensor]) -> Dict[str, float]:
        return normal_angle_metrics(stats)
