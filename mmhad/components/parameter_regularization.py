"""Importance-weighted quadratic anchoring of parameters (EWC, MAS)."""
from typing import Dict, Iterable, Optional, Sequence

import torch
from torch import Tensor

from mmhad.structures import MultiTaskDataSample
from mmhad.utils.knobs import COUNT, NON_NEGATIVE, UNIT
from .base import LifelongComponent


class ParameterRegularizer(LifelongComponent):
    """Penalise moving parameters that mattered for earlier phases.

    At the end of each phase the importance Omega of every parameter is
    estimated on that phase's training data (:meth:`batch_importance`) and
    accumulated, ``Omega <- decay * Omega + Omega_phase``, and the parameters
    are stored as anchors theta*. Later phases add

        loss_reg = weight / 2 * sum_i Omega_i (theta_i - theta*_i)^2

    over the anchored parameters of the architecture (the backbone and the
    heads of earlier tasks; heads added later have no anchor), by their
    names in the architecture (``backbone.conv1.weight``). Importance and
    anchors are part of the model's ``state_dict`` (this component's
    ``_extra_state``), so phase checkpoints carry them.

    Args:
        loss_weight (float): ``weight`` above.
        decay (float): How much of the earlier phases' importance is kept
            (1: plain sum, as multi-task EWC; < 1: online EWC).
        max_batches (int, optional): Batches of the phase's data used to
            estimate the importance; all by default.
    """

    kind = 'reg'

    #: Prefix of the penalty's loss key, ``loss_<name>``; ``None``: the
    #: method uses the importance otherwise (SPG) and keeps no anchors.
    penalty_name = 'reg'

    KNOBS = dict(loss_weight=NON_NEGATIVE, decay=UNIT, max_batches=COUNT)

    #: Old names of knobs, still accepted (with a warning).
    RENAMED = dict(penalty_weight='loss_weight')

    def __init__(self,
                 loss_weight: float = 1.0,
                 decay: float = 1.0,
                 max_batches: int = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.loss_weight = loss_weight
        self.decay = decay
        self.max_batches = max_batches
        self.importance: Dict[str, Tensor] = {}
        self.anchors: Dict[str, Tensor] = {}

    # --------------------------------------------------------- estimation
    def batch_importance(self, inputs: Tensor,
                         data_samples: Sequence[MultiTaskDataSample]
                         ) -> Dict[str, Tensor]:
        """Importance of each parameter measured on one batch."""
        raise NotImplementedError

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
            if name not in total:
                continue
            self.importance[name] = self.accumulate(
                self.importance.get(name), total[name] / max(batches, 1))
            if self.penalty_name is not None:
                self.anchors[name] = param.detach().clone()

    def accumulate(self, previous, phase: Tensor) -> Tensor:
        """Importance after a phase from the earlier one (``None`` after
        the first phase) and the phase's own: ``decay * previous + phase``.
        """
        return phase if previous is None else self.decay * previous + phase

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

    # -------------------------------------------------------------- penalty
    def losses(self, step) -> Dict[str, Tensor]:
        if not self.anchors:
            return {}
        params = dict(self.architecture.named_parameters())
        penalty = sum(
            (self.importance[n] * (params[n] - anchor)**2).sum()
            for n, anchor in self.anchors.items())
        return {
            f'loss_{self.penalty_name}': self.loss_weight / 2 * penalty
        }

    # ---------------------------------------------------------- checkpoints
    def get_extra_state(self) -> dict:
        return dict(importance=self.importance, anchors=self.anchors)

    def set_extra_state(self, state: dict) -> None:
        self.importance = dict(state.get('importance', {}))
        self.anchors = dict(state.get('anchors', {}))
