"""HAD as the public reference code computes it, as its own types.

Where the reference code departs from the paper (``docs/en/
reference_parity.md``), the departure is a registered type of its own, used
by the reference bundle (``configs/_base_/methods/had_reference.py``) and
by no other config, so that HAD's own API holds none of them:

- :class:`ReferenceHAD`: each old task weighs lambda / 2, without the
  paper's 1 / (t - 1);
- :class:`ReferenceForegroundGrouping`: regression pixels split on the
  student's raw prediction (not the teacher's, not normalised), a score
  of exactly ``delta`` in neither group (two strict comparisons);
- :class:`ReferenceSalienceGuidedLoss`: the depth term's broadcast mask,
  which scores each image at every pixel salient in any image of the
  batch.
"""
from typing import Optional

from torch import Tensor

from mmhad.models.losses.salience_guided_loss import (SalienceGuidedLoss,
                                                      salient_pixels,
                                                      scored_mean)
from mmhad.registry import MODELS, PSEUDO_GROUPINGS
from .had import HAD
from .pseudo_groups import ForegroundGrouping


@MODELS.register_module()
class ReferenceHAD(HAD):
    """:class:`HAD` whose old tasks each weigh lambda / 2, as the reference
    code's (the paper: lambda / (2 (t - 1)))."""

    def task_weight(self) -> float:
        return self.loss_weight / 2


@PSEUDO_GROUPINGS.register_module()
class ReferenceForegroundGrouping(ForegroundGrouping):
    """The reference code's regression groups: the student's detached raw
    prediction (channel mean, not normalised) split at ``delta``, a score
    of exactly ``delta`` in neither group (id -1); with ``num_bins``, bins
    of that raw score (values outside [0, 1] in the end bins)."""

    def groups(self, task, pseudo: Tensor, student_pred: Tensor) -> Tensor:
        score = self.score(student_pred, normalize=False)
        groups = self.split(score)
        if self.num_bins is None:
            groups[score == self.delta] = -1
        return groups


@MODELS.register_module()
class ReferenceSalienceGuidedLoss(SalienceGuidedLoss):
    """SG as the reference code's depth term computes it: its (N, H, W)
    salience mask multiplies the (N, 1, H, W) loss map, which broadcasts to
    (N, N, H, W), so each image is scored at every pixel salient in *any*
    image of the batch, once per such image (computed here without that
    tensor). With one image per batch it is :class:`SalienceGuidedLoss`.
    """

    def forward(self,
                loss_map: Tensor,
                valid: Optional[Tensor] = None) -> Tensor:
        loss_map = loss_map.float()
        salient = salient_pixels(loss_map, self.threshold, self.normalize,
                                 self.padding, valid)
        # how often each (image, pixel) is scored: the number of images
        # salient at that pixel
        times = salient.sum(0, keepdim=True).expand_as(salient).to(
            loss_map.dtype)
        return scored_mean(loss_map, times, self.reduction, self.drop_zeros,
                           loss_map.numel() * len(loss_map))
