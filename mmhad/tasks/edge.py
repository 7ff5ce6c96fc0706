"""Boundary detection (PASCAL-Context's ``edge``)."""
from typing import Dict, Sequence

import torch
from torch import Tensor

from mmhad.evaluation.binary_metrics import boundary_stats, ods_f
from mmhad.registry import DENSE_TASKS
from .binary import BinaryTask


@DENSE_TASKS.register_module()
class EdgeTask(BinaryTask):
    """Boundary detection: a boundary probability per pixel.

    Loss: balanced BCE with ``pos_weight`` on boundary pixels (0.95 in the
    multi-task literature). Metrics: ``loss``, that balanced BCE averaged
    over the scored pixels of the set (what the literature reports during
    training), and ``odsF``, the boundary F-measure at the optimal dataset
    threshold with a matching tolerance (see
    :mod:`mmhad.evaluation.binary_metrics` for how it differs from the
    MATLAB benchmark).

    Args:
        name (str): Task name.
        pos_weight (float): Weight of boundary pixels.
        match_tolerance (float): Matching distance of ``odsF`` as a fraction
            of the image diagonal (0.0075 for PASCAL-Context).
        num_thresholds (int): ``odsF`` thresholds, evenly spaced in (0, 1)
            (99, as the BSDS benchmark).
        **kwargs: See :class:`BinaryTask`.
    """

    METRICS = dict(loss='lower', odsF='higher')

    def __init__(self,
                 name: str,
                 pos_weight: float = 0.95,
                 match_tolerance: float = 0.0075,
                 num_thresholds: int = 99,
                 **kwargs) -> None:
        super().__init__(name, pos_weight=pos_weight, **kwargs)
        self.match_tolerance = match_tolerance
        self.thresholds: Sequence[float] = torch.linspace(
            0, 1, num_thresholds + 2)[1:-1].tolist()

    def metric_stats(self, pred: Tensor, gt: Tensor) -> Dict[str, Tensor]:
        valid = self.valid_mask(gt)
        loss = self.pixel_loss(pred, gt)
        stats = boundary_stats(pred[:, 0], gt, valid, self.thresholds,
                               self.match_tolerance)
        stats.update(
            loss_sum=(loss * valid).double().sum().cpu(),
            count=valid.sum().double().cpu())
        return {k: v.cpu() for k, v in stats.items()}

    def compute_metrics(self, stats: Dict[str, Tensor]) -> Dict[str, float]:
        return dict(
            loss=float(stats['loss_sum'] / stats['count'].clamp(min=1)),
            odsF=ods_f(stats))
