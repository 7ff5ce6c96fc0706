"""DKD-style adaptive weights of the old tasks' distillation terms."""
import math
from typing import Dict, Iterable, Optional, Sequence

import torch
from torch import Tensor

from mmhad.registry import MODELS
from mmhad.utils.knobs import COUNT, Range
from .base import OldTaskWeighting


def explained_variance(x: Tensor, y: Tensor, eps: float = 1e-12) -> Tensor:
    """Fraction of the variance of ``y`` that a least-squares affine
    function of ``x`` explains (R^2).

    Args:
        x (Tensor): (P, C1), one row per pixel.
        y (Tensor): (P, C2), the same pixels.

    Returns:
        Tensor: Scalar in [0, 1].
    """
    x = x - x.mean(dim=0)
    y = y - y.mean(dim=0)
    # pinv: class probabilities sum to 1, so their centred columns are
    # linearly dependent
    coef = torch.linalg.pinv(x.t() @ x) @ (x.t() @ y)
    residual = (y - x @ coef).pow(2).sum()
    return (1 - residual / y.pow(2).sum().clamp(min=eps)).clamp(0, 1)


def linear_similarity(x: Tensor, y: Tensor) -> Tensor:
    """How far each of two per-pixel maps is an affine function of the
    other: the mean of both R^2 (:func:`explained_variance`). Maps of any
    kinds compare (class probabilities, depth, normal vectors): 1 when
    each is an invertible affine map of the other, near 0 when unrelated.
    """
    return (explained_variance(x, y) + explained_variance(y, x)) / 2


def pixel_rows(pred: Tensor, stride: int) -> Tensor:
    """(N, C, H, W) -> (P, C) in fp32, every ``stride``-th row and column."""
    pred = pred.detach()[:, :, ::stride, ::stride].float()
    return pred.permute(0, 2, 3, 1).reshape(-1, pred.shape[1])


@MODELS.register_module()
class AdaptiveOldTaskWeighting(OldTaskWeighting):
    """Weights of old tasks that follow their number and their similarity to
    the new task(s), in the spirit of DKD's adaptive weighting (Shi et al.,
    2024), which adapts the distillation of old class groups to the counts
    of old and new classes and to their similarity.

    With n_old old tasks and n_new new ones, old task j's terms are scaled,
    relative to the uniform 1 / n_old share, by

        s_j = sqrt(n_old / n_new) * (1 + gain * sim_j)

    - count: the total distillation weight grows with the square root of
      the old-to-new ratio (LUCIR's rule for class counts), instead of
      staying constant as under lambda / (t - 1);
    - similarity: sim_j in [0, 1] (:func:`linear_similarity`) says how far
      the model's per-pixel predictions of the new task(s) and of old task j on
      the phase's images are affine functions of each other. With ``gain`` > 0
      an old task the new one resembles is distilled harder (the new task's
      training moves the features it reads); ``gain`` < 0 (down to -1) does the
      opposite.

    sim_j is measured on the training batches themselves (no extra forward
    or backward pass), every ``interval`` steps, and smoothed by an
    exponential moving average; it restarts with every phase (the new task
    changes) and is kept in the ``state_dict`` (extra state), so a run
    resumed inside a phase continues with the same weights. An old task not
    measured yet in the phase (with ``distill_tasks_per_step``) counts as
    sim_j = 0. Under DDP each process averages its own batches.

    DKD's paper gives its weighting for class groups of one classifier; its
    exact formula was not available to us, so the rule above is ours: DKD's
    two factors, count and similarity, carried over to tasks.

    Args:
        similarity_gain (float): gain, in [-1, inf); 0 keeps the count
            factor only.
        interval (int): Measure the similarities every this many steps.
        momentum (float): Weight of the previous average in the update.
        pixel_stride (int): Measure on every this-many-th row and column.
    """

    KNOBS = dict(similarity_gain=Range(-1.), interval=COUNT,
                 momentum=Range(0., 1., high_open=True), pixel_stride=COUNT)

    def __init__(self,
                 similarity_gain: float = 1.0,
                 interval: int = 10,
                 momentum: float = 0.9,
                 pixel_stride: int = 4,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.similarity_gain = similarity_gain
        self.interval = interval
        self.momentum = momentum
        self.pixel_stride = pixel_stride
        #: The phase whose similarities are measured (``phase`` is the
        #: algorithm's).
        self.measured_phase = 0
        self.step = 0
        self.similarity: Dict[str, float] = {}

    def begin_phase(self, phase: int) -> None:
        """Forget the last phase's similarities (not on a resume inside
        ``phase``, whose state came with the checkpoint)."""
        if phase != self.measured_phase:
            self.measured_phase = phase
            self.step = 0
            self.similarity = {}

    def end_phase(self, dataloader: Iterable) -> None:
        if self.old_tasks:
            self.algorithm.log(
                'old-task weights: ' +
                self.describe(self.old_tasks, len(self.new_tasks)))

    @torch.no_grad()
    def observe(self, outputs: Dict[str, Tensor], new_tasks: Sequence[str],
                distilled: Sequence[str]) -> None:
        """Update sim_j of the ``distilled`` tasks from one training step.

        Args:
            outputs (dict[str, Tensor]): The model's activated predictions
                (N, C, H, W) of ``new_tasks`` and of ``distilled``.
            new_tasks (list[str]): The phase's tasks.
            distilled (list[str]): Old tasks predicted at this step.
        """
        self.step += 1
        if (self.step - 1) % self.interval:
            return
        new = torch.cat(
            [pixel_rows(outputs[name], self.pixel_stride)
             for name in new_tasks], dim=1)
        for name in distilled:
            sim = float(
                linear_similarity(
                    new, pixel_rows(outputs[name], self.pixel_stride)))
            previous = self.similarity.get(name)
            self.similarity[name] = sim if previous is None else \
                self.momentum * previous + (1 - self.momentum) * sim

    def scales(self, old_tasks: Sequence[str],
               num_new: int) -> Dict[str, float]:
        """s_j of every old task (multiplies the uniform 1 / n_old share)."""
        count = math.sqrt(len(old_tasks) / max(num_new, 1))
        return {
            name: count * (1 + self.similarity_gain *
                           self.similarity.get(name, 0.0))
            for name in old_tasks
        }

    def describe(self, old_tasks: Sequence[str], num_new: int) -> str:
        """One line: each old task's scale and similarity."""
        return ', '.join(
            f'{name} x{scale:.3f} (similarity '
            f'{self.similarity.get(name, 0.0):.3f})'
            for name, scale in self.scales(old_tasks, num_new).items())

    def get_extra_state(self) -> dict:
        return dict(phase=self.measured_phase, step=self.step,
                    similarity=dict(self.similarity))

    def set_extra_state(self, state: dict) -> None:
        self.measured_phase = state['phase']
        self.step = state['step']
        self.similarity = dict(state['similarity'])

    def extra_repr(self) -> str:
        return (f'similarity_gain={self.similarity_gain}, '
                f'interval={self.interval}, momentum={self.momentum}, '
                f'pixel_stride={self.pixel_stride}')
