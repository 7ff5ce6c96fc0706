"""What every component of a lifelong algorithm is and may rely on, and the
roles a component plays: each role is a base class that declares the
methods the algorithm calls on it, so a component that misses one cannot be
built (``TypeError`` naming the method)."""
from abc import abstractmethod
from typing import Dict, Iterable, List, Optional, Sequence

import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from mmhad.utils.knobs import RangeChecked
from .step_filter import StepFilter

#: The kinds of component, each the prefix of its loss keys and log lines
#: (``distill.loss_db.depth``, ``reg.loss_ewc`` ...): a log reader sums a
#: kind's terms by prefix. The kind is only that prefix; what a component
#: does is its role (:data:`COMPONENT_ROLES`).
COMPONENT_KINDS = ('distill', 'reg', 'filter', 'rehearse', 'isolate',
                   'weight')


class LifelongComponent(RangeChecked, BaseModule):
    """One way of protecting old tasks, composable with the others.

    A :class:`~mmhad.algorithms.LifelongAlgorithm` holds the architecture,
    the frozen teacher and a dict of components from config. A component
    subclasses one role (:data:`COMPONENT_ROLES`: :class:`LossComponent`,
    :class:`IsolationComponent`, :class:`OldTaskWeighting`,
    :class:`StepFilterComponent`), which declares what the algorithm calls
    on it during a step, and hooks into the phases:

    * :meth:`task_added` when a task's head is built (Piggyback's masks),
      and :meth:`new_parameters`, what it built then: the loop gives those
      parameters to the optimizer with the head, under every
      ``optimizer_policy``;
    * :meth:`begin_phase` / :meth:`end_phase` around a phase (EWC's Fisher
      is estimated at its end, replay's memory is filled).

    The algorithm binds itself to its components (:meth:`bind`) without
    registering itself as their submodule; components read the phase, the
    tasks and the architecture through it. Each numeric knob of a
    component has its range in ``KNOBS`` (:class:`~mmhad.utils.knobs.
    RangeChecked`), checked when the component is built.
    """

    #: One of :data:`COMPONENT_KINDS`: the prefix of its loss keys and log
    #: lines.
    kind = 'distill'
    #: Whether the algorithm must snapshot a teacher for this component.
    needs_teacher = False
    #: Whether :meth:`losses` reads the student's predictions of the old
    #: tasks drawn at this step (the algorithm decodes them only then).
    distils_old_tasks = False
    #: First phase from which the shared and old norm layers must keep
    #: their running statistics for this component to be correct
    #: (``None``: no requirement).
    norm_eval_from_phase: Optional[int] = None

    def bind(self, algorithm) -> None:
        """Remember the algorithm (not as a submodule: no cycle in
        ``modules()``, ``state_dict()`` or ``deepcopy``)."""
        object.__setattr__(self, '_algorithm', algorithm)

    @property
    def algorithm(self):
        """The :class:`~mmhad.algorithms.LifelongAlgorithm` holding it."""
        algorithm = vars(self).get('_algorithm')
        if algorithm is None:
            raise RuntimeError(f'{type(self).__name__} is not part of a '
                               'LifelongAlgorithm yet')
        return algorithm

    @property
    def architecture(self):
        """The student (:class:`~mmhad.models.LifelongDensePredictor`)."""
        return self.algorithm.architecture

    @property
    def tasks(self):
        """Task name -> :class:`~mmhad.tasks.DenseTask` of every task."""
        return self.algorithm.architecture.tasks

    @property
    def phase(self) -> int:
        return self.algorithm.phase

    @property
    def new_tasks(self) -> List[str]:
        return self.algorithm.new_tasks

    @property
    def old_tasks(self) -> List[str]:
        return self.algorithm.old_tasks

    def task_added(self, name: str) -> None:
        """Called when the head of task ``name`` has been built."""

    def new_parameters(self, name: str) -> List[nn.Parameter]:
        """The parameters this component built for task ``name`` in
        :meth:`task_added` (none by default). They join the optimizer with
        the task's head: a new parameter group under ``optimizer_policy=
        'extend'``, and the rebuilt optimizer under ``'rebuild'`` (the
        component is a submodule of the algorithm)."""
        return []

    def begin_phase(self, phase: int) -> None:
        """Called when phase ``phase`` (1-based) begins, after the teacher
        snapshot and the new heads (``self.new_tasks`` is set)."""

    def end_phase(self, dataloader: Iterable) -> None:
        """Called when a phase is trained, before it is evaluated and saved.

        Args:
            dataloader: The phase's training data (for components that
                estimate something on it, e.g. EWC's Fisher information).
        """

    def teacher_label_tasks(self) -> List[str]:
        """Old tasks whose teacher outputs this component reads only through
        ``task.pseudo_label`` (the teacher cache may keep just the label
        where every component that reads the teacher says so)."""
        return []


class LossComponent(LifelongComponent):
    """Protects old tasks through loss terms added at every step
    (distillation, parameter penalties, rehearsal)."""

    @abstractmethod
    def losses(self, step) -> Dict[str, Tensor]:
        """This component's weighted terms at one step (keys contain
        ``'loss'``; the algorithm adds the ``<kind>.`` prefix).

        Args:
            step (TrainStep): The step's inputs, the student's features and
                predictions, the distilled old tasks and the teacher.
        """


class IsolationComponent(LifelongComponent):
    """Protects old tasks through the forward pass: each task's prediction
    is computed its own way (one per algorithm; it replaces the shared
    backbone pass, so it combines with no teacher)."""

    kind = 'isolate'

    @abstractmethod
    def predict_tasks(self,
                      inputs: Tensor,
                      names: Optional[Sequence[str]] = None
                      ) -> Dict[str, Tensor]:
        """Task name -> prediction (B, C, H, W) of ``names`` (all tasks
        with a head when ``None``) on ``inputs`` (B, 3, H, W)."""


class OldTaskWeighting(LifelongComponent):
    """Weighs the old tasks' distillation terms (one per algorithm; needs a
    component that distils them)."""

    kind = 'weight'

    @abstractmethod
    def observe(self, outputs: Dict[str, Tensor], new_tasks: Sequence[str],
                distilled: Sequence[str]) -> None:
        """See the student's predictions (task -> (B, C, H, W)) of the new
        and of the distilled old tasks at one training step."""

    @abstractmethod
    def scales(self, old_tasks: Sequence[str],
               num_new: int) -> Dict[str, float]:
        """Multiplier of each old task's distillation terms (1: the
        uniform share)."""


class StepFilterComponent(LifelongComponent):
    """Protects old tasks through the parameter updates: after every
    optimizer step that updates a filtered parameter, the step it took is
    replaced by :meth:`filter_step` of it (:class:`StepFilter`, removed
    with the component)."""

    kind = 'filter'

    def __init__(self, init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self._step_filter = StepFilter(self)

    @abstractmethod
    def filtered_names(self) -> Iterable[str]:
        """Names (in the architecture) of the parameters to filter."""

    @abstractmethod
    def filter_step(self, name: str, step: Tensor) -> Tensor:
        """The step parameter ``name`` takes instead of ``step`` (same
        shape)."""


#: The roles a component can play; every component subclasses one.
COMPONENT_ROLES = (LossComponent, IsolationComponent, OldTaskWeighting,
                   StepFilterComponent)
