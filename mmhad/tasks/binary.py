"""Binary dense maps (boundaries, saliency): one probability per pixel."""
from typing import Optional

import torch
from torch import Tensor

from .base import DenseTask

#: Probabilities are clamped to [EPS, 1 - EPS] inside logarithms.
EPS = 1e-6


def balanced_bce_map(prob: Tensor, target: Tensor, valid: Tensor,
                     pos_weight: Optional[float] = None) -> Tensor:
    """Per-pixel balanced binary cross-entropy.

    ``-(w y log p + (1 - w) (1 - y) log(1 - p))``, with ``w`` the weight of
    the positives: ``pos_weight`` (e.g. 0.95 for boundaries, which are few)
    or, when ``None``, the fraction of negatives among the valid pixels of
    the batch (MTI-Net's balanced BCE for saliency; negatives then weigh
    the fraction of positives, and a batch with one side only weighs it 1).

    Args:
        prob (Tensor): Predicted probability (N, H, W).
        target (Tensor): 0/1 target (N, H, W) (ignored pixels: any value).
        valid (Tensor): Bool (N, H, W), the pixels that count for ``w``.
        pos_weight (float, optional): ``w``.

    Returns:
        Tensor: Loss map (N, H, W).
    """
    target = target.float()
    if pos_weight is None:
        positive = (target * valid).sum() / valid.sum().clamp(min=1)
        # A map with one side only (a teacher that sees no salient object)
        # weighs that side fully rather than by 0.
        pos_w = torch.where(positive < 1, 1 - positive, 1.)
        neg_w = torch.where(positive > 0, positive, 1.)
    else:
        pos_w, neg_w = pos_weight, 1 - pos_weight
    prob = prob.float().clamp(EPS, 1 - EPS)
    return -(pos_w * target * torch.log(prob) +
             neg_w * (1 - target) * torch.log(1 - prob))


class BinaryTask(DenseTask):
    """Base of binary map kinds: sigmoid probabilities (N, 1, H, W);
    ground truth (N, H, W) in {0, 1}, ``ignore_index`` not scored.

    Pseudo-label: the teacher's probability thresholded at 0.5.

    Args:
        name (str): Task name.
        pos_weight (float, optional): Weight of positives in the balanced
            BCE; ``None``: the fraction of negatives in the batch.
        ignore_index (int): Ground-truth value of pixels without label.
        **kwargs: See :class:`DenseTask`.
    """

    OUTPUT_FORM = 'binary'

    def __init__(self,
                 name: str,
                 pos_weight: Optional[float] = None,
                 ignore_index: int = 255,
                 **kwargs) -> None:
        super().__init__(name, **kwargs)
        self.pos_weight = pos_weight
        self.ignore_index = ignore_index

    @property
    def out_channels(self) -> int:
        return 1

    def activate(self, logits: Tensor) -> Tensor:
        return torch.sigmoid(logits)

    def check_gt(self, gt: Tensor) -> None:
        bad = (gt != 0) & (gt != 1) & (gt != self.ignore_index)
        if bad.any():
            raise ValueError(
                f'task {self.name!r}: a binary map holds 0, 1 or the ignore '
                f'index {self.ignore_index}, got {float(gt[bad][0]):g}')

    def valid_mask(self, gt: Tensor) -> Tensor:
        return gt != self.ignore_index

    def pixel_loss(self, pred: Tensor, target: Tensor) -> Tensor:
        valid = self.valid_mask(target)
        return balanced_bce_map(pred[:, 0], torch.where(valid, target, 0),
                                valid, self.pos_weight)

    def soft_pixel_loss(self,
                        pred: Tensor,
                        teacher_pred: Tensor,
                        temperature: float = 1.0) -> Tensor:
        """Binary KL(teacher_T || student_T) * T^2 per pixel, the two-class
        case of :meth:`SemanticTask.soft_pixel_loss`."""
        def soften(prob):
            prob = prob.float().clamp(EPS, 1 - EPS)
            return torch.sigmoid(torch.logit(prob) / temperature)[:, 0]

        teacher, student = soften(teacher_pred.detach()), soften(pred)
        teacher_c = teacher.clamp(EPS, 1 - EPS)
        kl = teacher_c * torch.log(teacher_c / student.clamp(EPS, 1 - EPS)) + (
            1 - teacher_c) * torch.log((1 - teacher_c) /
                                       (1 - student).clamp(EPS, 1 - EPS))
        return kl * temperature**2

    def pseudo_label(self, teacher_pred: Tensor) -> Tensor:
        return (teacher_pred.detach()[:, 0] >= 0.5).float()
