"""What every lifelong method shares: phases, the frozen teacher, L_new."""
import copy
from typing import Dict, Iterable, List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.logging import print_log
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

from mmhad.models import LifelongDensePredictor
from mmhad.registry import MODELS
from mmhad.structures import MultiTaskDataSample
from .teacher_cache import TeacherCache


class NonFiniteLossError(FloatingPointError):
    """A loss term is NaN or infinite; raised before any parameter update."""


def check_finite(losses: Dict[str, Tensor]) -> None:
    """Raise :class:`NonFiniteLossError` naming every non-finite term."""
    bad = {k: float(v.detach()) for k, v in losses.items()
           if not torch.isfinite(v.detach()).all()}
    if bad:
        terms = ', '.join(f'{k}={v}' for k, v in bad.items())
        raise NonFiniteLossError(f'non-finite loss: {terms}')


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

    Methods that distil old tasks can distil a random subset of them at each
    step (DKD-style sampling, to trade compute for retention): with
    ``distill_tasks_per_step=k`` each step draws k of the old tasks and their
    terms are scaled by ``num_old / k`` so that the expected total equals
    distilling them all. Their terms weigh the same (1 / num_old of the
    method's weight each) unless ``old_task_weighting`` adapts them
    (:class:`AdaptiveOldTaskWeighting`, DKD's adaptive weighting).

    BatchNorm layers compute different outputs in train mode (batch
    statistics) and eval mode (running statistics), and the teacher always
    runs in eval mode; with small batches the gap can be as large as the
    error to the ground truth, so distillation then pulls the student
    towards a target shifted by that gap. ``norm_eval_from_phase=p`` keeps
    the norm layers of the backbone and of the old heads in eval mode
    (running statistics frozen, affine parameters still trained) from phase
    p on; the new heads' norm layers train as usual.

    Args:
        distill_tasks_per_step (int, optional): Old tasks distilled per step;
            ``None`` distils all of them.
        norm_eval_from_phase (int, optional): First phase (1-based) in which
            the shared and old norm layers stay in eval mode; ``None``
            (default) trains them in every phase.
        teacher_cache (dict, optional): Compute the teacher's outputs on a
            phase's images once when the phase begins and read them back
            (:class:`TeacherCache`, e.g. ``dict(dtype='float32')``); needs a
            pipeline without random transforms. ``None``: run the teacher
            every step.
        old_task_weighting (dict, optional): Config of a module that
            scales each old task's distillation terms
            (``dict(type='AdaptiveOldTaskWeighting')``); ``None``: the same
            weight for every old task. Only for methods that distil old
            tasks.
        compile (bool | dict, optional): ``torch.compile`` the training
            forward and losses (``True``, or its keyword arguments, e.g.
            ``dict(mode='max-autotune')``), once per phase: a phase
            changes the graph (new heads, the teacher, the old tasks), so
            :meth:`begin_phase` drops the last phase's graphs
            (``torch._dynamo.reset()``, for the whole process) and the
            first steps of every phase compile. The backward pass follows
            through AOTAutograd; the optimizer step stays eager. ``None``:
            eager.
        **kwargs: See :class:`LifelongDensePredictor` (``backbone``,
            ``decode_head``, ``tasks``, ...).
    """

    #: Whether :meth:`begin_phase` snapshots a teacher.
    needs_teacher = False
    #: Whether :meth:`extra_losses` works on the old tasks' predictions.
    distils_old_tasks = False
    #: Whether the method protects old tasks through loss terms (``False``:
    #: through the gradients, e.g. SPG).
    adds_loss_terms = True

    def __init__(self,
                 distill_tasks_per_step: Optional[int] = None,
                 norm_eval_from_phase: Optional[int] = None,
                 teacher_cache: Optional[dict] = None,
                 old_task_weighting: Optional[dict] = None,
                 compile: Union[bool, dict, None] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if compile is not None and not isinstance(compile, (bool, dict)):
            raise TypeError('compile must be True, False, None or a dict of '
                            f'torch.compile arguments, got {compile!r}')
        self.compile_cfg = (dict() if compile is True else
                            dict(compile) if compile else None)
        if old_task_weighting is not None and not self.distils_old_tasks:
            raise ValueError(
                f'old_task_weighting scales the distillation terms of old '
                f'tasks; {type(self).__name__} has none (use a distilling '
                f'method such as LwF or HAD, or old_task_weighting=None)')
        self.old_task_weighting = MODELS.build(old_task_weighting) \
            if old_task_weighting is not None else None
        self.teacher_cache = TeacherCache(**teacher_cache) \
            if teacher_cache is not None else None
        if norm_eval_from_phase is not None and norm_eval_from_phase < 1:
            raise ValueError('norm_eval_from_phase must be >= 1 or None, '
                             f'got {norm_eval_from_phase}')
        self.norm_eval_from_phase = norm_eval_from_phase
        if distill_tasks_per_step is not None and distill_tasks_per_step < 1:
            raise ValueError('distill_tasks_per_step must be >= 1 or None, '
                             f'got {distill_tasks_per_step}')
        self.distill_tasks_per_step = distill_tasks_per_step
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
        # the last phase's compiled step is neither copied into the teacher
        # nor reused on this phase's modules
        vars(self).pop('_compiled_loss', None)
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
        if self.old_task_weighting is not None:
            self.old_task_weighting.start_phase(phase)
        if self.teacher_cache is not None:
            self.teacher_cache.clear()  # the outputs of the last teacher
        if self.compile_cfg is not None:
            torch._dynamo.reset()
            # object.__setattr__: a function, not a submodule or state
            object.__setattr__(self, '_compiled_loss',
                               torch.compile(self._loss, **self.compile_cfg))
        return added

    def end_phase(self, dataloader: Iterable) -> None:
        """Called when a phase is trained, before it is evaluated and saved.

        Args:
            dataloader: The phase's training data (for methods that estimate
                something on it, e.g. EWC's Fisher information).
        """
        if self.old_task_weighting is not None and self.old_tasks:
            print_log(
                f'Phase {self.phase} old-task weights: ' +
                self.old_task_weighting.describe(self.old_tasks,
                                                 len(self.new_tasks)),
                logger='current')

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
        if mode and self.norm_eval_from_phase is not None and \
                self.phase >= self.norm_eval_from_phase:
            new_heads = {id(m) for name in self.new_tasks
                         if name in self.heads
                         for m in self.heads[name].modules()}
            for module in self.modules():
                if isinstance(module, _BatchNorm) and \
                        id(module) not in new_heads:
                    module.eval()
        return self

    def teacher_predict(
        self,
        inputs: Tensor,
        names: Sequence[str],
        data_samples: Optional[Sequence[MultiTaskDataSample]] = None
    ) -> Dict[str, Tensor]:
        """Teacher predictions for ``names``: from the teacher cache when
        every sample of the batch is in it, else one backbone pass, no
        grad."""
        if self.teacher is None:
            raise RuntimeError(f'{type(self).__name__} has no teacher in '
                               f'phase {self.phase}')
        if self.teacher_cache is not None and data_samples is not None:
            cached = self.teacher_cache.get(
                [s.metainfo.get('sample_idx') for s in data_samples], names,
                inputs.device)
            if cached is not None:
                return cached
        with torch.no_grad():
            return self.teacher.predict_tasks(inputs, names)

    def fill_teacher_cache(self, batches: Iterable[dict]) -> None:
        """Cache the teacher's outputs for every old task on ``batches``
        (preprocessed ``dict(inputs, data_samples)``, with ``sample_idx``
        in each sample's metainfo)."""
        self.teacher_cache.clear()
        label_tasks = self.teacher_label_tasks()
        with torch.no_grad():
            for batch in batches:
                indices = [s.metainfo['sample_idx']
                           for s in batch['data_samples']]
                outputs = self.teacher.predict_tasks(batch['inputs'],
                                                     self.old_tasks)
                self.teacher_cache.add(
                    indices, outputs, {
                        name: self.tasks[name].pseudo_label(outputs[name])
                        for name in label_tasks
                    })

    def teacher_label_tasks(self) -> List[str]:
        """Old tasks whose teacher outputs the method reads only through
        ``task.pseudo_label`` (the cache may keep just the label)."""
        return []

    def teacher_feat(self, inputs: Tensor) -> List[Tensor]:
        """The teacher's backbone (+ neck) features, no grad."""
        if self.teacher is None:
            raise RuntimeError(f'{type(self).__name__} has no teacher in '
                               f'phase {self.phase}')
        with torch.no_grad():
            return list(self.teacher.extract_feat(inputs))

    # ---------------------------------------------------------------- losses
    def distilled_tasks(self) -> List[str]:
        """Old tasks to distil at this step (a random subset with
        ``distill_tasks_per_step``); empty without a teacher."""
        if not self.distils_old_tasks or self.teacher is None:
            return []
        k = self.distill_tasks_per_step
        if k is None or k >= len(self.old_tasks):
            return list(self.old_tasks)
        picked = torch.randperm(len(self.old_tasks))[:k].sort().values
        return [self.old_tasks[i] for i in picked.tolist()]

    def sampling_scale(self, distilled: Sequence[str]) -> float:
        """``num_old / num_distilled``: keeps the expected total unbiased."""
        return len(self.old_tasks) / max(len(distilled), 1)

    def old_task_scales(self, distilled: Sequence[str]) -> Dict[str, float]:
        """Multiplier of each distilled old task's terms relative to the
        uniform share (1 / num_old of the method's weight): the sampling
        scale, times the adaptive weight with ``old_task_weighting``."""
        scale = self.sampling_scale(distilled)
        if self.old_task_weighting is None:
            return {name: scale for name in distilled}
        adaptive = self.old_task_weighting.scales(self.old_tasks,
                                                  len(self.new_tasks))
        return {name: scale * adaptive[name] for name in distilled}

    def extra_losses(self, inputs: Tensor,
                     data_samples: Sequence[MultiTaskDataSample],
                     feats: Sequence[Tensor], outputs: Dict[str, Tensor],
                     distilled: Sequence[str]) -> Dict[str, Tensor]:
        """Terms the method adds to L_new (weighted; keys contain 'loss').

        Args:
            inputs (Tensor): Normalised images (N, 3, H, W).
            data_samples (list): The batch's samples (ground truth).
            feats (list[Tensor]): The student's backbone (+ neck) features.
            outputs (dict[str, Tensor]): The student's activated predictions
                (N, C, H, W) of the new tasks and of ``distilled``.
            distilled (list[str]): Old tasks drawn for this step.
        """
        return {}

    def loss(self, inputs: Tensor,
             data_samples: Sequence[MultiTaskDataSample]) -> Dict[str, Tensor]:
        """L_new of the phase's tasks plus the method's extra terms (the
        phase's compiled step with ``compile``)."""
        if not self.new_tasks:
            raise RuntimeError(
                'no phase has begun: train with LifelongTrainLoop '
                "(train_cfg = dict(type='LifelongTrainLoop', ...)) or call "
                'begin_phase() first')
        compiled = vars(self).get('_compiled_loss')
        losses = (compiled or self._loss)(inputs, data_samples)
        check_finite(losses)
        return losses

    def _loss(self, inputs: Tensor,
              data_samples: Sequence[MultiTaskDataSample]
              ) -> Dict[str, Tensor]:
        distilled = self.distilled_tasks()
        feats = self.extract_feat(inputs)
        outputs = self.decode(feats, self.new_tasks + distilled,
                              inputs.shape[2:])
        losses = self.supervised_losses(outputs, data_samples, self.new_tasks)
        if self.old_task_weighting is not None and distilled:
            self.old_task_weighting.observe(outputs, self.new_tasks,
                                            distilled)
        losses.update(
            self.extra_losses(inputs, data_samples, feats, outputs,
                              distilled))
        return losses


@MODELS.register_module()
class FineTune(BaseLifelongMethod):
    """Naive sequential fine-tuning: the lower bound.

    Each phase trains on its new task only; nothing protects the old heads
    or the shared backbone from forgetting.
    """
