from typing import Dict

import torch
import torch.nn.functional as F
from torch import Tensor

from mmhad.evaluation.functional import (segmentation_metrics,
                                         segmentation_stats)
from mmhad.registry import DENSE_TASKS
from .base import DenseTask


@DENSE_TASKS.register_module()
class SemanticTask(DenseTask):
    """Semantic segmentation: one class per pixel.

    Prediction: log-probabilities (N, C, H, W). Ground truth and pseudo-label:
    class ids (N, H, W); ``ignore_index`` marks unlabelled pixels (-1 in the
    pre-processed NYUv2 release). Supervised and distillation losses are the
    per-pixel cross-entropy; DB-HAD groups pixels by the teacher's class.

    Args:
        name (str): Task name.
        num_classes (int): Number of classes C.
        ignore_index (int): Label value of unlabelled pixels.
        loss_weight (float): Weight of the supervised loss.
    """

    METRICS = dict(mIoU='higher', pixAcc='higher')

    def __init__(self,
                 name: str,
                 num_classes: int,
                 ignore_index: int = -1,
                 loss_weight: float = 1.0) -> None:
        super().__init__(name, loss_weight)
        if num_classes < 2:
            raise ValueError(f'task {name!r}: num_classes must be >= 2, '
                             f'got {num_classes}')
        self.num_classes = num_classes
        self.ignore_index = ignore_index

    @property
    def out_channels(self) -> int:
        return self.num_classes

    def activate(self, logits: Tensor) -> Tensor:
        return F.log_softmax(logits, dim=1)

    def check_gt(self, gt: Tensor) -> None:
        if not torch.equal(gt, gt.round()):
            raise ValueError(f'task {self.name!r}: labels must be whole '
                             'class ids, got fractional values')
        labels = gt.long()
        scored = labels[labels != self.ignore_index]
        if scored.numel() and (scored.min() < 0
                               or scored.max() >= self.num_classes):
            bad = sorted({int(v) for v in scored[(scored < 0) | (
                scored >= self.num_classes)].unique()[:5]})
            raise ValueError(
                f'task {self.name!r}: label values {bad} are outside the '
                f'classes [0, {self.num_classes}) and are not the ignore '
                f'index {self.ignore_index} (num_classes in the config?)')

    def valid_mask(self, gt: Tensor) -> Tensor:
        return gt.long() != self.ignore_index

    def pixel_loss(self, pred: Tensor, target: Tensor) -> Tensor:
        target = target.long()
        # Ignored pixels pick class 0 here; valid_mask() drops them.
        safe = torch.where(target == self.ignore_index,
                           torch.zeros_like(target), target)
        return -pred.float().gather(1, safe.unsqueeze(1)).squeeze(1)

    def soft_pixel_loss(self,
                        pred: Tensor,
                        teacher_pred: Tensor,
                        temperature: float = 1.0) -> Tensor:
        """Hinton's KL(teacher_T || student_T) * T^2 per pixel.

        Predictions are log-probabilities; log_softmax(log p / T) equals
        log_softmax(logits / T), so the logits are not needed.
        """
        teacher = F.log_softmax(teacher_pred.detach().float() / temperature,
                                dim=1)
        student = F.log_softmax(pred.float() / temperature, dim=1)
        return (teacher.exp() * (teacher - student)).sum(dim=1) * \
            temperature**2

    def pseudo_label(self, teacher_pred: Tensor) -> Tensor:
        return teacher_pred.detach().argmax(dim=1)

    def decode(self, pred: Tensor) -> Tensor:
        return pred.argmax(dim=1)

    def metric_stats(self, pred: Tensor, gt: Tensor) -> Dict[str, Tensor]:
        return segmentation_stats(pred, gt, self.num_classes,
                                  self.ignore_index)

    def compute_metrics(self, stats: Dict[str, Tensor]) -> Dict[str, float]:
        return segmentation_metrics(stats)
