"""Per-parameter importance for earlier tasks, estimated at a phase's end."""
from abc import abstractmethod
from typing import Dict, Iterable, Optional, Sequence

import torch
from torch import Tensor

from mmhad.structures import MultiTaskDataSample
from mmhad.utils.knobs import COUNT
from .base import LifelongComponent


class ImportanceEstimator(LifelongComponent):
    """Measure how much each parameter of the architecture mattered for a
    phase's own task(s), at the end of the phase, and accumulate it over
    phases.

    A base for the components that use the importance (EWC's and MAS's
    penalty, SPG's damped steps): it is not a role itself, a subclass
    also subclasses the role it plays. The importance (architecture
    parameter name -> tensor of the parameter's shape) is part of the
    component's ``_extra_state``, so phase checkpoints carry it.

    Args:
        max_batches (int, optional): Batches of the phase's data used to
            estimate the importance; all by default.
    """

    KNOBS = dict(max_batches=COUNT)

    def __init__(self,
                 max_batches: Optional[int] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.max_batches = max_batches
        self.importance: Dict[str, Tensor] = {}

    @abstractmethod
    def batch_importance(self, inputs: Tensor,
                         data_samples: Sequence[MultiTaskDataSample]
                         ) -> Dict[str, Tensor]:
        """Importance of each parameter measured on one batch."""

    @abstractmethod
    def accumulate(self, previous: Optional[Tensor], phase: Tensor) -> Tensor:
        """Importance after a phase from the earlier one (``None`` after
        the first phase) and the phase's own."""

    def end_phase(self, dataloader: Iterable) -> None:
        algorithm = self.algorithm
        was_training = algorithm.training
        algorithm.eval()  # no dropout, no BN statistics update
        total: Dict[str, Tensor] = {}
        batches = 0
        for data in dataloader:
            if self.max_batches is not None and batches >= self.max_batches:
                break
            data = algorithm.data_preprocessor(data, True)
            for key, value in self.batch_importance(
                    data['inputs'], data['data_samples']).items():
                total[key] = total.get(key, 0) + value
            batches += 1
        algorithm.train(was_training)
        for name, param in self.architecture.named_parameters():
            if name in total:
                self.importance[name] = self.accumulate(
                    self.importance.get(name), total[name] / max(batches, 1))
                self.estimated(name, param)

    def estimated(self, name: str, param: Tensor) -> None:
        """Called for each parameter whose importance was just updated."""

    def _new_task_grads(self, inputs: Tensor,
                        data_samples: Sequence[MultiTaskDataSample]
                        ) -> Dict[str, Tensor]:
        """Gradients of the phase's own supervised loss on one batch."""
        outputs = self.algorithm.predict_tasks(inputs, self.new_tasks)
        loss = sum(
            self.architecture.supervised_losses(outputs, data_samples,
                                                self.new_tasks).values())
        return self._grads_of(loss)

    def _grads_of(self, loss: Tensor) -> Dict[str, Tensor]:
        params = {n: p for n, p in self.architecture.named_parameters()
                  if p.requires_grad}
        grads = torch.autograd.grad(
            loss, list(params.values()), allow_unused=True)
        return {
            n: g.detach() for n, g in zip(params, grads) if g is not None
        }

    def get_extra_state(self) -> dict:
        return dict(importance=self.importance)

    def set_extra_state(self, state: dict) -> None:
        self.importance = dict(state.get('importance', {}))
