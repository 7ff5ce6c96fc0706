"""Importance-weighted quadratic anchoring of parameters (EWC, MAS)."""
from typing import Dict, Optional

from torch import Tensor

from mmhad.utils.knobs import NON_NEGATIVE, UNIT
from .base import LossComponent
from .importance import ImportanceEstimator


class ParameterRegularizer(ImportanceEstimator, LossComponent):
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

    #: Prefix of the penalty's loss key, ``loss_<name>``.
    penalty_name = 'reg'

    KNOBS = dict(loss_weight=NON_NEGATIVE, decay=UNIT)

    #: Old names of knobs, still accepted (with a warning).
    RENAMED = dict(penalty_weight='loss_weight')

    def __init__(self,
                 loss_weight: float = 1.0,
                 decay: float = 1.0,
                 max_batches: int = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(max_batches=max_batches, init_cfg=init_cfg)
        self.loss_weight = loss_weight
        self.decay = decay
        self.anchors: Dict[str, Tensor] = {}

    def estimated(self, name: str, param: Tensor) -> None:
        self.anchors[name] = param.detach().clone()

    def accumulate(self, previous, phase: Tensor) -> Tensor:
        """``decay * previous + phase``."""
        return phase if previous is None else self.decay * previous + phase

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
        return dict(super().get_extra_state(), anchors=self.anchors)

    def set_extra_state(self, state: dict) -> None:
        super().set_extra_state(state)
        self.anchors = dict(state.get('anchors', {}))
