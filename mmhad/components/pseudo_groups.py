"""HAD's pseudo-label groups: how DB-HAD groups an old task's pixels.

DB-HAD balances the distillation loss over groups of pixels that share a
pseudo-label (classes for segmentation, foreground / background for
regression). How pixels group depends only on what a prediction is, the
task's output form, so task kinds know nothing of them: each output form
names its default grouping (``OutputForm.grouping``, see
:mod:`mmhad.tasks.output_forms`), one registered here. A new form reuses
one of these or registers its own::

    @PSEUDO_GROUPINGS.register_module()
    class MyGrouping(PseudoGrouping):

        def groups(self, task, pseudo, student_pred):
            ...

        def num_groups(self, task):
            ...
"""
from typing import Optional

import torch
from torch import Tensor

from mmhad.registry import PSEUDO_GROUPINGS
from mmhad.utils.knobs import COUNT, OPEN_UNIT, RangeChecked


class PseudoGrouping(RangeChecked):
    """How DB-HAD groups the pixels of an output form's tasks. A grouping
    takes only the knobs it uses (HAD passes none: a config gives them,
    see ``HAD(groupings=...)``)."""

    def groups(self, task, pseudo: Tensor, student_pred: Tensor) -> Tensor:
        """Group ids (N, H, W) in ``[0, num_groups(task))``, -1 for none.

        Args:
            task (DenseTask): The old task.
            pseudo (Tensor): The teacher's pseudo-label
                (``task.pseudo_label``).
            student_pred (Tensor): The student's prediction (N, C, H, W).
        """
        raise NotImplementedError

    def num_groups(self, task) -> int:
        """How many group ids :meth:`groups` can return."""
        raise NotImplementedError


@PSEUDO_GROUPINGS.register_module()
class ClassGrouping(PseudoGrouping):
    """One group per class the teacher predicts (its argmax), for class
    ids."""

    def groups(self, task, pseudo: Tensor, student_pred: Tensor) -> Tensor:
        return pseudo.long()

    def num_groups(self, task) -> int:
        return task.num_classes


@PSEUDO_GROUPINGS.register_module()
class BinaryGrouping(PseudoGrouping):
    """The two sides of the teacher's map at 0.5, so the few positive
    pixels (boundaries) weigh as much as the many negative ones."""

    def groups(self, task, pseudo: Tensor, student_pred: Tensor) -> Tensor:
        return pseudo.long()

    def num_groups(self, task) -> int:
        return 2


@PSEUDO_GROUPINGS.register_module()
class ForegroundGrouping(PseudoGrouping):
    """Foreground and background of a continuous map: the pseudo-label
    averaged over channels, min-max normalised to [0, 1] per image and
    split at ``delta`` (the paper), or cut into ``num_bins`` fixed-width
    bins (the paper's bin ablations).

    Args:
        delta (float): Foreground threshold of the normalised score.
        num_bins (int, optional): Fixed-width bins of the score instead of
            foreground / background.
    """

    KNOBS = dict(delta=OPEN_UNIT, num_bins=COUNT)

    def __init__(self, delta: float = 0.5,
                 num_bins: Optional[int] = None) -> None:
        self.delta = delta
        self.num_bins = num_bins

    def groups(self, task, pseudo: Tensor, student_pred: Tensor) -> Tensor:
        return self.split(self.score(pseudo, normalize=True))

    @staticmethod
    def score(values: Tensor, normalize: bool) -> Tensor:
        """The channel mean (N, H, W) of a map (N, C, H, W), detached;
        with ``normalize`` min-max normalised to [0, 1] per image."""
        score = values.detach().float().mean(dim=1)
        if normalize:
            flat = score.flatten(1)
            low = flat.min(dim=1).values[:, None, None]
            high = flat.max(dim=1).values[:, None, None]
            # A constant map has no foreground: it normalises to 0.
            score = (score - low) / (high - low).clamp(
                min=torch.finfo(score.dtype).eps)
        return score

    def split(self, score: Tensor) -> Tensor:
        """Group ids (N, H, W) of a score (N, H, W): its bins, or which
        side of ``delta`` it is on."""
        if self.num_bins is not None:
            return (score * self.num_bins).long().clamp(
                min=0, max=self.num_bins - 1)
        return (score >= self.delta).long()

    def num_groups(self, task) -> int:
        return 2 if self.num_bins is None else self.num_bins
