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
    """How DB-HAD groups the pixels of an output form's tasks.

    Every grouping takes HAD's knobs, and uses those it needs.

    Args:
        delta (float): Foreground threshold of regression groups.
        num_bins (int, optional): Fixed-width bins of the normalised score
            instead of foreground / background (regression).
        raw_student (bool): Group regression pixels on the student's
            detached prediction, not normalised (the reference code),
            instead of the teacher's pseudo-label normalised per image.
        strict (bool): A score equal to ``delta`` joins neither group (id
            -1), as the reference code's two strict comparisons;
            otherwise it is foreground.
    """

    KNOBS = dict(delta=OPEN_UNIT, num_bins=COUNT)

    def __init__(self,
                 delta: float = 0.5,
                 num_bins: Optional[int] = None,
                 raw_student: bool = False,
                 strict: bool = False) -> None:
        self.delta = delta
        self.num_bins = num_bins
        self.raw_student = raw_student
        self.strict = strict

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
    bins; with ``raw_student`` the student's raw prediction is split
    instead (the reference code)."""

    def groups(self, task, pseudo: Tensor, student_pred: Tensor) -> Tensor:
        if self.raw_student:
            return self.split(student_pred.detach(), normalize=False)
        return self.split(pseudo, normalize=True)

    def split(self, values: Tensor, normalize: bool) -> Tensor:
        """Group ids (N, H, W) of a map (N, C, H, W)."""
        score = values.detach().float().mean(dim=1)  # (N, H, W)
        if normalize:
            flat = score.flatten(1)
            low = flat.min(dim=1).values[:, None, None]
            high = flat.max(dim=1).values[:, None, None]
            # A constant map has no foreground: it normalises to 0.
            score = (score - low) / (high - low).clamp(
                min=torch.finfo(score.dtype).eps)
        if self.num_bins is not None:
            return (score * self.num_bins).long().clamp(
                min=0, max=self.num_bins - 1)
        groups = (score >= self.delta).long()
        if self.strict:
            groups[score == self.delta] = -1
        return groups

    def num_groups(self, task) -> int:
        return 2 if self.num_bins is None else self.num_bins
