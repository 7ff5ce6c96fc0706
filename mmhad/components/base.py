"""What every component of a lifelong algorithm is and may rely on."""
from typing import Dict, Iterable, List, Optional

from mmengine.model import BaseModule
from torch import Tensor

from mmhad.utils.knobs import RangeChecked

#: The kinds of component, each the prefix of its loss keys in the logs
#: (``distill.loss_db.depth``, ``reg.loss_ewc`` ...): a log reader sums a
#: kind's terms by prefix.
COMPONENT_KINDS = ('distill', 'reg', 'filter', 'rehearse', 'isolate',
                   'weight')


class LifelongComponent(RangeChecked, BaseModule):
    """One way of protecting old tasks, composable with the others.

    A :class:`~mmhad.algorithms.LifelongAlgorithm` holds the architecture,
    the frozen teacher and a dict of components from config. Each component
    is of one :attr:`kind` and hooks into the phases and the training step:

    * :meth:`task_added` when a task's head is built (Piggyback's masks);
    * :meth:`begin_phase` / :meth:`end_phase` around a phase (EWC's Fisher
      is estimated at its end, replay's memory is filled);
    * :meth:`losses` at every step, from the step's shared forward pass
      (:class:`~mmhad.algorithms.TrainStep`); the algorithm prefixes the
      keys with the kind.

    The algorithm binds itself to its components (:meth:`bind`) without
    registering itself as their submodule; components read the phase, the
    tasks and the architecture through it. Each numeric knob of a
    component has its range in ``KNOBS`` (:class:`~mmhad.utils.knobs.
    RangeChecked`), checked when the component is built.
    """

    #: One of :data:`COMPONENT_KINDS`.
    kind = 'distill'
    #: Whether the algorithm must snapshot a teacher for this component.
    needs_teacher = False
    #: Whether :meth:`losses` reads the student's predictions of the old
    #: tasks drawn at this step (the algorithm decodes them only then).
    distils_old_tasks = False
    #: Whether the component protects old tasks through loss terms
    #: (``False``: through the parameter updates or the forward pass).
    adds_loss_terms = True
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

    def begin_phase(self, phase: int) -> None:
        """Called when phase ``phase`` (1-based) begins, after the teacher
        snapshot and the new heads (``self.new_tasks`` is set)."""

    def end_phase(self, dataloader: Iterable) -> None:
        """Called when a phase is trained, before it is evaluated and saved.

        Args:
            dataloader: The phase's training data (for components that
                estimate something on it, e.g. EWC's Fisher information).
        """

    def losses(self, step) -> Dict[str, Tensor]:
        """This component's weighted terms at one step (keys contain
        ``'loss'``; the algorithm adds the ``<kind>.`` prefix).

        Args:
            step (TrainStep): The step's inputs, the student's features and
                predictions, the distilled old tasks and the teacher.
        """
        return {}

    def teacher_label_tasks(self) -> List[str]:
        """Old tasks whose teacher outputs this component reads only through
        ``task.pseudo_label`` (the teacher cache may keep just the label
        where every component that reads the teacher says so)."""
        return []
