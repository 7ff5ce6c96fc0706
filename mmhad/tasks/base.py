"""The description of one kind of dense prediction task.

Methods (HAD, LwF, EWC, ...) are written against this interface and never
branch on a task's name or kind: whatever differs between semantic
segmentation, depth and normals is answered here, once.
"""
from typing import Dict, Optional

from torch import Tensor

from .output_forms import build_output_form


def masked_mean(values: Tensor, mask: Tensor) -> Tensor:
    """Mean of ``values`` over ``mask``; 0 (with a gradient) when it is empty.

    Args:
        values (Tensor): Any shape.
        mask (Tensor): Bool tensor of the same shape.
    """
    count = mask.sum()
    total = (values * mask).sum()
    # Dividing by max(count, 1) keeps an all-invalid batch finite: the loss is
    # then 0 and its gradient 0, instead of NaN poisoning the weights.
    return total / count.clamp(min=1)


class DenseTask:
    """Base class of a task kind (registered in ``DENSE_TASKS``).

    A task *instance* has a name (the key used in configs, data samples and
    loss names, e.g. ``'depth'``); its class is the *kind* (e.g.
    :class:`DepthTask`). Predictions are always the **activated** head
    outputs of shape (N, C, H, W) at input resolution.

    Args:
        name (str): Task name, e.g. ``'semantic'``.
        loss_weight (float): Weight of the supervised loss of this task.
    """

    #: Metric name -> ``'higher'`` or ``'lower'`` (which direction is better).
    METRICS: Dict[str, str] = {}
    #: What one pixel's prediction is, the name of a form registered in
    #: ``OUTPUT_FORMS`` (:mod:`mmhad.tasks.output_forms`): ``'classes'`` (C
    #: class probabilities, decoded to an id map), ``'binary'`` (one
    #: probability), ``'regression'`` (C free values, e.g. depth),
    #: ``'unit_vectors'`` (C-dimensional directions, e.g. surface normals)
    #: or a form of one's own. The visualiser, the prediction saver and the
    #: methods ask the form object (:attr:`output_form`), never the kind.
    OUTPUT_FORM = 'classes'
    #: Unit of the predicted values, shown on colour bars (``'m'`` for
    #: depth); a dataset that stores something else under the kind says so
    #: with ``dataset_meta['units']`` or the visualizer's ``units``.
    UNIT = ''

    def __init__(self, name: str, loss_weight: float = 1.0) -> None:
        self.name = name
        self.loss_weight = loss_weight
        #: The form object of :attr:`OUTPUT_FORM`; an unregistered form is
        #: refused here, when the task is built.
        self.output_form = build_output_form(self)

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(name={self.name!r}, '
                f'out_channels={self.out_channels})')

    @property
    def out_channels(self) -> int:
        """Number of output channels of this task's head."""
        raise NotImplementedError

    @property
    def gt_channels(self) -> Optional[int]:
        """Channels C of a stored ground truth (H, W, C); ``None`` for an
        (H, W) map of class ids."""
        return None

    @property
    def gt_key(self) -> str:
        """Field of a data sample holding this task's ground truth."""
        return f'gt_{self.name}'

    @property
    def pred_key(self) -> str:
        """Field of a data sample holding this task's prediction."""
        return f'pred_{self.name}'

    def activate(self, logits: Tensor) -> Tensor:
        """Head logits (N, C, H, W) -> prediction (N, C, H, W)."""
        raise NotImplementedError

    def valid_mask(self, gt: Tensor) -> Tensor:
        """Bool mask (N, H, W) of the pixels that carry ground truth."""
        raise NotImplementedError

    def pixel_loss(self, pred: Tensor, target: Tensor) -> Tensor:
        """Per-pixel loss map (N, H, W) between a prediction and a target.

        The target is either ground truth or a teacher's pseudo-label (same
        format); this map is the ``I_j`` of HAD's distillation losses.
        """
        raise NotImplementedError

    def soft_pixel_loss(self,
                        pred: Tensor,
                        teacher_pred: Tensor,
                        temperature: float = 1.0) -> Tensor:
        """Per-pixel plain distillation loss (N, H, W) towards a teacher.

        The loss to the teacher's pseudo-label by default (L1 for depth,
        1 - cosine for normals); classification tasks compare softened
        distributions instead (:class:`SemanticTask`).
        """
        return self.pixel_loss(pred, self.pseudo_label(teacher_pred))

    def check_gt(self, gt: Tensor) -> None:
        """Raise ``ValueError`` naming what is wrong with a ground truth."""

    def loss(self, pred: Tensor, gt: Tensor) -> Tensor:
        """Supervised loss: the pixel loss averaged over valid pixels."""
        self.check_gt(gt)
        return self.loss_weight * masked_mean(
            self.pixel_loss(pred, gt), self.valid_mask(gt))

    def pseudo_label(self, teacher_pred: Tensor) -> Tensor:
        """Teacher prediction -> target in ground-truth format (no grad)."""
        raise NotImplementedError

    def decode(self, pred: Tensor) -> Tensor:
        """Prediction -> the form stored in data samples for evaluation."""
        return pred

    def metric_stats(self, pred: Tensor, gt: Tensor) -> Dict[str, Tensor]:
        """Summable metric statistics of a batch (see ``evaluation``)."""
        raise NotImplementedError

    def compute_metrics(self, stats: Dict[str, Tensor]) -> Dict[str, float]:
        """Metric values from statistics summed over a whole set."""
        raise NotImplementedError

    def batch_metrics(self, pred: Tensor,
                      gt: Tensor) -> Optional[Dict[str, float]]:
        """Metric values of one batch on its own, for an evaluation that
        averages them over batches (the HAD reference's depth and normal
        errors); ``None`` where such an evaluation accumulates statistics
        over the whole set instead (the reference's segmentation confusion
        matrix), the default for classification-type kinds."""
        return None


class RegressionTask(DenseTask):
    """A task whose output is a continuous value per pixel; its
    pseudo-label is the teacher's prediction itself."""

    OUTPUT_FORM = 'regression'

    @property
    def gt_channels(self) -> int:
        return self.out_channels

    def batch_metrics(self, pred: Tensor, gt: Tensor) -> Dict[str, float]:
        return self.compute_metrics(self.metric_stats(pred, gt))

    def pseudo_label(self, teacher_pred: Tensor) -> Tensor:
        return teacher_pred.detach()
