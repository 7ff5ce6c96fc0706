"""What every lifelong method shares: phases, the frozen teacher, L_new."""
import copy
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
from torch import Tensor

from mmhad.models import LifelongDensePredictor
from mmhad.registry import MODELS
from mmhad.structures import MultiTaskDataSample


class BaseLifelongMethod(LifelongDensePredictor):
    """A :class:`LifelongDensePredictor` that learns one phase at a time.

    The training loop tells the method when a phase begins
    (:meth:`begin_phase`) and ends (:meth:`end_phase`). In a phase the model
    is supervised on the phase's new task(s) (``loss_new.<task>``) and a
    subclass adds its own terms in :meth:`extra_losses`.

    A method that sets ``needs_teacher`` gets, from the second phase on, a
    frozen copy of the model as it was when the phase began (mmrazor's
    teacher handling): no gradients, always in eval mode, run under
    ``no_grad``. It is deliberately *not* a registered submodule, so it is
    not in the student's ``state_dict``, not given to the optimizer and not
    wrapped by DDP.

    Args:
        **kwargs: See :class:`LifelongDensePredictor` (``backbone``,
            ``decode_head``, ``tasks``, ...).
    """

    #: Whether :meth:`begin_phase` snapshots a teacher.
    needs_teacher = False

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.phase = 0
        self.new_tasks: List[str] = []
        self.old_tasks: List[str] = []
        self._set_teacher(None)

    # ----------------------------------------------------------------- phases
    def begin_phase(self,
                    phase: int,
                    new_tasks: Sequence[str],
                    teacher_state_dict: Optional[dict] = None
                    ) -> List[nn.Module]:
        """Prepare phase ``phase`` (1-based) that learns ``new_tasks``.

        The teacher (if the method needs one) is a copy of the model as it is
        now, i.e. at the end of the previous phase, or, when a run resumes
        inside a phase, a copy loaded with ``teacher_state_dict``. Heads for
        new tasks are added afterwards, so the teacher has only the old ones.

        Returns:
            list[nn.Module]: The heads added (to be given to the optimizer).
        """
        for name in new_tasks:
            self.get_task(name)  # unknown names fail here, before any change
        old = [name for name in self.task_names if name not in new_tasks]
        teacher = None
        if self.needs_teacher and old:
            teacher = self._snapshot()
            if teacher_state_dict is not None:
                for name in list(teacher.heads):
                    if name not in old:
                        del teacher.heads[name]
                teacher.load_state_dict(teacher_state_dict)
            teacher.requires_grad_(False)
            teacher.eval()
        added = [self.add_task(n) for n in new_tasks if n not in self.heads]
        self.phase = phase
        self.new_tasks = list(new_tasks)
        self.old_tasks = old
        self._set_teacher(teacher)
        return added

    def end_phase(self) -> None:
        """Called after a phase is trained, evaluated and saved."""

    # ---------------------------------------------------------------- teacher
    def _set_teacher(self, teacher: Optional[nn.Module]) -> None:
        # object.__setattr__ bypasses nn.Module registration on purpose.
        object.__setattr__(self, 'teacher', teacher)

    def _snapshot(self) -> 'BaseLifelongMethod':
        """A deep copy of the model without its own teacher."""
        teacher = self.teacher
        self._set_teacher(None)  # no chain of teachers inside teachers
        try:
            return copy.deepcopy(self)
        finally:
            self._set_teacher(teacher)

    def train(self, mode: bool = True) -> 'BaseLifelongMethod':
        super().train(mode)
        if self.teacher is not None:
            self.teacher.eval()
        return self

    def teacher_predict(self, inputs: Tensor,
                        names: Sequence[str]) -> Dict[str, Tensor]:
        """Teacher predictions for ``names``: one backbone pass, no grad."""
        if self.teacher is None:
            raise RuntimeError(f'{type(self).__name__} has no teacher in '
                               f'phase {self.phase}')
        with torch.no_grad():
            return self.teacher.predict_tasks(inputs, names)

    # ---------------------------------------------------------------- losses
    def distilled_tasks(self) -> List[str]:
        """Old tasks whose student predictions :meth:`extra_losses` needs."""
        return []

    def extra_losses(self, inputs: Tensor,
                     data_samples: Sequence[MultiTaskDataSample],
                     outputs: Dict[str, Tensor]) -> Dict[str, Tensor]:
        """Terms the method adds to L_new (weighted; keys contain 'loss')."""
        return {}

    def loss(self, inputs: Tensor,
             data_samples: Sequence[MultiTaskDataSample]) -> Dict[str, Tensor]:
        """L_new of the phase's tasks plus the method's extra terms."""
        if not self.new_tasks:
            raise RuntimeError(
                'no phase has begun: train with LifelongTrainLoop '
                "(train_cfg = dict(type='LifelongTrainLoop', ...)) or call "
                'begin_phase() first')
        names = self.new_tasks + [
            n for n in self.distilled_tasks() if n not in self.new_tasks
        ]
        outputs = self.decode(self.extract_feat(inputs), names,
                              inputs.shape[2:])
        losses = self.supervised_losses(outputs, data_samples, self.new_tasks)
        losses.update(self.extra_losses(inputs, data_samples, outputs))
        return losses


@MODELS.register_module()
class FineTune(BaseLifelongMethod):
    """Naive sequential fine-tuning: the lower bound.

    Each phase trains on its new task only; nothing protects the old heads
    or the shared backbone from forgetting.
    """
