"""Human part segmentation (PASCAL-Context's ``human_parts``)."""
import torch
from torch import Tensor

from mmhad.registry import DENSE_TASKS
from .semantic import SemanticTask


@DENSE_TASKS.register_module()
class HumanPartsTask(SemanticTask):
    """Segmentation into body parts, with class 0 the background.

    An image without any part pixel (no person in it) is ignored entirely,
    in the loss and in the metrics, as the multi-task literature scores
    parts only on images that have people; pseudo-labels of such images are
    still distilled (the teacher's output is all there is).

    Args: see :class:`SemanticTask` (7 classes: background + 6 parts).
    """

    def __init__(self, name: str, num_classes: int = 7, **kwargs) -> None:
        super().__init__(name, num_classes=num_classes, **kwargs)

    def _without_people(self, gt: Tensor) -> Tensor:
        """(N, H, W) ground truth with images lacking parts ignored."""
        labels = gt.long()
        has_parts = ((labels > 0) & (labels != self.ignore_index)).flatten(
            1).any(dim=1)
        return torch.where(has_parts[:, None, None], gt,
                           torch.full_like(gt, self.ignore_index))

    def valid_mask(self, gt: Tensor) -> Tensor:
        return super().valid_mask(self._without_people(gt))

    def metric_stats(self, pred: Tensor, gt: Tensor):
        return super().metric_stats(pred, self._without_people(gt))
