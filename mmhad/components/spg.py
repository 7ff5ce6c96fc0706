"""SPG: soft-masking of parameter-level gradients (Konishi et al., 2023)."""
from typing import Dict, Sequence

import torch
from torch import Tensor

from mmhad.registry import MODELS
from mmhad.structures import MultiTaskDataSample
from .base import StepFilterComponent
from .importance import ImportanceEstimator


@MODELS.register_module()
class SPG(ImportanceEstimator, StepFilterComponent):
    """Damp the updates of parameters that mattered for earlier tasks.

    At the end of each phase the importance of every parameter for the
    phase's own task(s) is measured from that task's loss: the mean absolute
    gradient over the phase's data, standardised within each parameter
    tensor (zero mean, unit std) and squashed, ``gamma = max(0,
    tanh(standardised))``; importances accumulate as the element-wise
    maximum over phases. In later phases every optimizer step moves such a
    parameter by ``1 - gamma`` times the step the optimizer computed, so
    parameters important to an old task barely move and unimportant ones
    train freely. SPG soft-masks the gradient; with Adam (every config
    here) a gradient scaled by a constant per parameter gives the same
    step, so the mask is applied to the step itself (:class:`StepFilter`),
    which for plain SGD is the same thing. Every task has its own head and
    loss, so task identity is known at training and test time, as SPG
    assumes. No loss term is
    added and no anchors are kept; the importances (in the state dict)
    travel with phase checkpoints.

    Args:
        max_batches (int, optional): Batches of a phase's data used for
            the importance; all by default.
    """

    def batch_importance(self, inputs: Tensor,
                         data_samples: Sequence[MultiTaskDataSample]
                         ) -> Dict[str, Tensor]:
        return {
            n: g.abs()
            for n, g in self._new_task_grads(inputs, data_samples).items()
        }

    def accumulate(self, previous, phase: Tensor) -> Tensor:
        std = phase.std() if phase.numel() > 1 else phase.new_tensor(0.)
        standardised = (phase - phase.mean()) / std.clamp(min=1e-12)
        gamma = torch.tanh(standardised).clamp(min=0)
        return gamma if previous is None else torch.maximum(previous, gamma)

    def filtered_names(self):
        return self.importance

    def filter_step(self, name: str, step: Tensor) -> Tensor:
        return (1 - self.importance[name].to(step)) * step
