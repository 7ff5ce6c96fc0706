"""A lifelong algorithm: the architecture, its teacher and its components."""
import copy
import functools
from typing import Dict, Iterable, List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import BaseModel
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm
from torch.utils.data import DataLoader

from mmhad.components.base import (COMPONENT_KINDS, COMPONENT_ROLES,
                                   IsolationComponent, LossComponent,
                                   OldTaskWeighting)
from mmhad.models.dense_prediction_mixin import DensePredictionMixin
from mmhad.registry import MODELS
from mmhad.structures import MultiTaskDataSample
from .teacher_cache import TeacherCache, random_transforms
from .teacher_pass import TeacherPass
from .train_step import TrainStep

ARCHITECTURE_PREFIX = 'architecture.'


class NonFiniteLossError(FloatingPointError):
    """A loss term is NaN or infinite; raised before any parameter update."""


def check_finite(losses: Dict[str, Tensor]) -> None:
    """Raise :class:`NonFiniteLossError` naming every non-finite term."""
    bad = {k: float(v.detach()) for k, v in losses.items()
           if not torch.isfinite(v.detach()).all()}
    if bad:
        terms = ', '.join(f'{k}={v}' for k, v in bad.items())
        raise NonFiniteLossError(f'non-finite loss: {terms}')


def architecture_state(state_dict: dict) -> dict:
    """The architecture's part of an algorithm's state dict (keys without
    the ``architecture.`` prefix); a state dict without any such key is
    taken to be an architecture's already."""
    if not any(k.startswith(ARCHITECTURE_PREFIX) for k in state_dict):
        return state_dict
    return {key[len(ARCHITECTURE_PREFIX):]: value
            for key, value in state_dict.items()
            if key.startswith(ARCHITECTURE_PREFIX)}


@MODELS.register_module()
class LifelongAlgorithm(DensePredictionMixin, BaseModel):
    """Learn one phase at a time: an architecture, a frozen teacher and
    components that protect the old tasks.

    The training loop tells the algorithm when a phase begins
    (:meth:`begin_phase`) and ends (:meth:`end_phase`). In a phase the
    architecture is supervised on the phase's new task(s) (``new.loss.<task>``)
    and each component adds its terms, prefixed with its kind
    (``distill.loss_db.depth``, ``reg.loss_ewc``, ``rehearse.loss_replay.
    semantic``), so a log reader can sum a kind's terms. Without components
    the algorithm is plain fine-tuning (or joint training, with a phase of
    several tasks).

    Components come from config as a dict (name -> component config), so
    configs inherit and override them by name
    (``model=dict(components=dict(had=dict(sg_loss=None)))``) and combine
    them (``components=dict(had=..., replay=...)``). Each component plays
    one role (:data:`~mmhad.components.COMPONENT_ROLES`): loss terms, an
    isolation (at most one: it computes features per task), an old-task
    weighting (at most one: it weighs old tasks' distillation terms) or a
    step filter.

    When a component needs one, the algorithm snapshots a teacher from the
    second phase on: a frozen copy of the architecture as it was when the
    phase began (mmrazor's teacher handling: no gradients, always in eval
    mode, run under ``no_grad``). It is deliberately *not* a registered
    submodule, so it is not in the ``state_dict``, not given to the
    optimizer and not wrapped by DDP.

    Distilling components distil every old task, or a random subset at
    each step (DKD-style sampling): with ``distill_tasks_per_step=k`` each
    step draws k old tasks and scales their terms by ``num_old / k``, so
    that the expected total equals distilling them all.

    BatchNorm layers compute different outputs in train mode (batch
    statistics) and eval mode (running statistics), and the teacher always
    runs in eval mode; with small batches the gap can be as large as the
    error to the ground truth. ``norm_eval_from_phase=p`` keeps the norm
    layers of the backbone and of the old heads in eval mode (running
    statistics frozen, affine parameters still trained) from phase p on;
    the new heads' norm layers train as usual. A component may require an
    earlier phase (Piggyback: 2); the earlier of the two applies.

    Args:
        architecture (dict): Config of the
            :class:`~mmhad.models.LifelongDensePredictor` (backbone, head
            template, tasks).
        components (dict[str, dict], optional): Name -> component config;
            a ``None`` value drops an inherited component.
        distill_tasks_per_step (int, optional): Old tasks distilled per
            step; ``None`` distils all of them.
        norm_eval_from_phase (int, optional): See above; ``None``: norm
            layers train in every phase (unless a component requires
            otherwise).
        teacher_cache (dict, optional): Compute the teacher's outputs on a
            phase's images once when the phase begins and read them back
            (:class:`TeacherCache`, e.g. ``dict(dtype='float32')``); needs a
            pipeline without random transforms. ``None``: run the teacher
            every step.
        compile (bool | dict, optional): ``torch.compile`` the training
            forward and losses (``True``, or its keyword arguments), once
            per phase: a phase changes the graph (new heads, the teacher,
            the old tasks), so :meth:`begin_phase` drops the last phase's
            graphs (``torch.compiler.reset()``, for the whole process) and
            the first steps of every phase compile. The optimizer step
            stays eager. ``None``: eager.
        data_preprocessor (dict, optional): Data preprocessor config.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 architecture: dict,
                 components: Optional[Dict[str, Optional[dict]]] = None,
                 distill_tasks_per_step: Optional[int] = None,
                 norm_eval_from_phase: Optional[int] = None,
                 teacher_cache: Optional[dict] = None,
                 compile: Union[bool, dict, None] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='MultiTaskDataPreprocessor')
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if compile is not None and not isinstance(compile, (bool, dict)):
            raise TypeError('compile must be True, False, None or a dict of '
                            f'torch.compile arguments, got {compile!r}')
        if norm_eval_from_phase is not None and norm_eval_from_phase < 1:
            raise ValueError('norm_eval_from_phase must be >= 1 or None, '
                             f'got {norm_eval_from_phase}')
        if distill_tasks_per_step is not None and distill_tasks_per_step < 1:
            raise ValueError('distill_tasks_per_step must be >= 1 or None, '
                             f'got {distill_tasks_per_step}')
        architecture = dict(architecture)
        if 'tasks' in architecture:
            raise ValueError(
                'model.architecture.tasks: the model takes its tasks from '
                'the training set\'s declaration (train_dataloader.dataset.'
                "tasks=dict(<name>=dict(type='SemanticTask', ...), ...)), "
                'or, trained, from its checkpoint; declare them there only')
        architecture.setdefault('type', 'LifelongDensePredictor')
        self.architecture = MODELS.build(architecture)
        self.components = nn.ModuleDict()
        for name, cfg in (components or {}).items():
            if cfg is None:
                continue
            component = MODELS.build(cfg)
            if not isinstance(component, COMPONENT_ROLES):
                roles = ', '.join(role.__name__ for role in COMPONENT_ROLES)
                raise TypeError(
                    f'model.components.{name} ({cfg.get("type")}) plays no '
                    f'role: a component subclasses one of {roles} '
                    '(mmhad.components)')
            if component.kind not in COMPONENT_KINDS:
                raise ValueError(f'model.components.{name} has kind '
                                 f'{component.kind!r}, not one of '
                                 f'{COMPONENT_KINDS}')
            component.bind(self)
            self.components[name] = component
        self._check_components()
        self.compile_cfg = (dict() if compile is True else
                            dict(compile) if compile else None)
        self.teacher_cache = TeacherCache(**teacher_cache) \
            if teacher_cache is not None else None
        required = [c.norm_eval_from_phase for c in self.components.values()
                    if c.norm_eval_from_phase is not None]
        self.norm_eval_from_phase = min(
            required + ([norm_eval_from_phase]
                        if norm_eval_from_phase is not None else []),
            default=None)
        self.distill_tasks_per_step = distill_tasks_per_step
        self.phase = 0
        self.new_tasks: List[str] = []
        self.old_tasks: List[str] = []
        self._set_teacher(None)
        self._register_load_state_dict_pre_hook(self._add_tasks_in_state_dict)

    def _check_components(self) -> None:
        for role in (IsolationComponent, OldTaskWeighting):
            names = self._playing(role)
            if len(names) > 1:
                raise ValueError(
                    f'model.components {names} are each a {role.__name__}; '
                    'at most one')
        if self.weighting is not None and not self.distils_old_tasks:
            raise ValueError(
                'a weight component scales the distillation terms of old '
                'tasks; model.components has no component that distils '
                'them (add LwF or HAD, or remove the weighting)')
        if self.isolation is not None and self.needs_teacher:
            raise ValueError(
                'an isolate component computes features per task; it does '
                'not combine with components that read a teacher')

    def _playing(self, role: type) -> List[str]:
        """Names of the components that play ``role``."""
        return [name for name, component in self.components.items()
                if isinstance(component, role)]

    @property
    def isolation(self) -> Optional[IsolationComponent]:
        """The :class:`~mmhad.components.IsolationComponent`, if any."""
        names = self._playing(IsolationComponent)
        return self.components[names[0]] if names else None

    @property
    def weighting(self) -> Optional[OldTaskWeighting]:
        """The :class:`~mmhad.components.OldTaskWeighting`, if any."""
        names = self._playing(OldTaskWeighting)
        return self.components[names[0]] if names else None

    @property
    def needs_teacher(self) -> bool:
        """Whether :meth:`begin_phase` snapshots a teacher."""
        return any(c.needs_teacher for c in self.components.values())

    @property
    def distils_old_tasks(self) -> bool:
        """Whether a component reads the student's old-task predictions."""
        return any(c.distils_old_tasks for c in self.components.values())

    # ----------------------------------------------------- the architecture
    @property
    def tasks(self):
        """Task name -> :class:`~mmhad.tasks.DenseTask` (every known task)."""
        return self.architecture.tasks

    @property
    def heads(self) -> nn.ModuleDict:
        return self.architecture.heads

    @property
    def task_names(self) -> List[str]:
        """Tasks that have a head, in the order they were added."""
        return self.architecture.task_names

    def get_task(self, name: str):
        return self.architecture.get_task(name)

    def set_tasks(self, tasks: Dict[str, dict]) -> None:
        """Know the tasks a dataset declares (see
        :meth:`LifelongDensePredictor.set_tasks`)."""
        self.architecture.set_tasks(tasks)

    def add_task(self, name: str) -> List[nn.Parameter]:
        """Build the head of task ``name`` and tell the components.

        Returns:
            list[nn.Parameter]: What was built for the task: its head's
            parameters and those the components built with it
            (:meth:`~mmhad.components.LifelongComponent.new_parameters`).
        """
        head = self.architecture.add_task(name)
        built = list(head.parameters())
        for component in self.components.values():
            component.task_added(name)
            built += component.new_parameters(name)
        return built

    def add_tasks_of(self, state_dict: dict, prefix: str = '') -> None:
        """Build the heads (and what components keep per task) of the tasks
        ``state_dict`` (an algorithm's, keys under ``prefix``) holds and
        this model has not built yet, in its order: a state dict loads only
        into modules that exist (a phase checkpoint into a fresh model, an
        optimizer state resumed into the optimizer)."""
        for name in self.architecture.missing_heads(
                state_dict, prefix + ARCHITECTURE_PREFIX):
            self.add_task(name)

    def _add_tasks_in_state_dict(self, state_dict, prefix, *args) -> None:
        # before the architecture's own hook, which would skip the
        # components
        self.add_tasks_of(state_dict, prefix)

    def extract_feat(self, inputs: Tensor) -> Sequence[Tensor]:
        return self.architecture.extract_feat(inputs)

    def predict_tasks(self,
                      inputs: Tensor,
                      names: Optional[Sequence[str]] = None
                      ) -> Dict[str, Tensor]:
        """Predictions of several tasks (one backbone pass, or one per task
        with an isolation component)."""
        if self.isolation is not None:
            return self.isolation.predict_tasks(inputs, names)
        return self.architecture.predict_tasks(inputs, names)

    # ----------------------------------------------------------------- phases
    def begin_phase(self,
                    phase: int,
                    new_tasks: Sequence[str],
                    teacher_state_dict: Optional[dict] = None,
                    dataloader: Optional[DataLoader] = None
                    ) -> List[List[nn.Parameter]]:
        """Prepare phase ``phase`` (1-based) that learns ``new_tasks``.

        The teacher (if a component needs one) is a copy of the
        architecture as it is now, i.e. at the end of the previous phase,
        or, when a run resumes inside a phase, a copy loaded with
        ``teacher_state_dict`` (the algorithm's state dict of the last phase
        checkpoint, or its architecture's). Heads for new tasks are added
        afterwards, so the teacher has only the old ones.

        With ``teacher_cache``, the teacher's outputs on the phase's images
        (``dataloader``, the phase's training data) are computed here, once.

        Returns:
            list[list[nn.Parameter]]: Per task added, the parameters built
            for it (:meth:`add_task`), to be given to the optimizer.
        """
        for name in new_tasks:
            self.get_task(name)  # unknown names fail here, before any change
        # the last phase's compiled step is neither copied into the teacher
        # nor reused on this phase's modules
        vars(self).pop('_compiled_loss', None)
        old = [name for name in self.task_names if name not in new_tasks]
        teacher = None
        if self.needs_teacher and old:
            teacher = copy.deepcopy(self.architecture)
            if teacher_state_dict is not None:
                # a resume inside the phase: the heads of its new tasks
                # exist already, the teacher never had them
                for name in list(teacher.heads):
                    if name not in old:
                        del teacher.heads[name]
                teacher.load_state_dict(
                    architecture_state(teacher_state_dict))
            teacher.requires_grad_(False)
            teacher.eval()
        added = [self.add_task(n) for n in new_tasks if n not in self.heads]
        self.phase = phase
        self.new_tasks = list(new_tasks)
        self.old_tasks = old
        self._set_teacher(teacher)
        for component in self.components.values():
            component.begin_phase(phase)
        if self.teacher_cache is not None:
            self.teacher_cache.clear()  # the outputs of the last teacher
            if teacher is not None and dataloader is not None:
                self._fill_teacher_cache(dataloader)
        if self.compile_cfg is not None:
            torch.compiler.reset()
            # object.__setattr__: a function, not a submodule or state
            object.__setattr__(self, '_compiled_loss',
                               torch.compile(self._loss, **self.compile_cfg))
        return added

    def end_phase(self, dataloader: Iterable) -> None:
        """Called when a phase is trained, before it is evaluated and saved.

        Args:
            dataloader: The phase's training data (for components that
                estimate something on it, e.g. EWC's Fisher information).
        """
        for component in self.components.values():
            component.end_phase(dataloader)

    def log(self, message: str) -> None:
        """One line in the run's log, prefixed with the phase."""
        print_log(f'Phase {self.phase} {message}', logger='current')

    # ---------------------------------------------------------------- teacher
    @property
    def teacher(self) -> Optional[nn.Module]:
        """The frozen architecture of the previous phase, or ``None``."""
        return vars(self).get('_teacher')

    def _set_teacher(self, teacher: Optional[nn.Module]) -> None:
        # object.__setattr__ bypasses nn.Module registration on purpose.
        object.__setattr__(self, '_teacher', teacher)

    def train(self, mode: bool = True) -> 'LifelongAlgorithm':
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

    def teacher_pass(
        self,
        inputs: Tensor,
        data_samples: Optional[Sequence[MultiTaskDataSample]] = None
    ) -> TeacherPass:
        """The teacher on one batch (:class:`TeacherPass`): predictions from
        the teacher cache when it holds every sample of the batch, else from
        one backbone pass shared with the features, no grad."""
        cached = None
        if self.teacher_cache is not None and data_samples is not None:
            cached = functools.partial(
                self.teacher_cache.get,
                [s.metainfo.get('sample_idx') for s in data_samples],
                device=inputs.device)
        return TeacherPass(self.teacher, inputs, cached, self.phase)

    def teacher_label_tasks(self) -> List[str]:
        """Old tasks that every component reading the teacher reads only
        through ``task.pseudo_label`` (the cache may keep just labels)."""
        readers = [c for c in self.components.values() if c.needs_teacher]
        if not readers:
            return []
        label_only = set(self.old_tasks)
        for component in readers:
            label_only &= set(component.teacher_label_tasks())
        return [name for name in self.old_tasks if name in label_only]

    def _fill_teacher_cache(self, dataloader: DataLoader) -> None:
        """Run the teacher once on every image of the phase (in loader
        batches, without the loader's shuffling or workers) into the
        teacher cache."""
        subset = dataloader.dataset
        pipeline = getattr(getattr(subset, 'dataset', subset), 'pipeline',
                           None)
        randoms = random_transforms(getattr(pipeline, 'transforms', []))
        if randoms:
            raise ValueError(
                f'teacher_cache needs a training pipeline without random '
                f'transforms (the teacher would see other images each '
                f'epoch), got {randoms}: remove them or set '
                'model.teacher_cache=None')
        size = dataloader.batch_size
        batches = (self.data_preprocessor(
            dataloader.collate_fn(
                [subset[i] for i in range(start, min(start + size,
                                                     len(subset)))]), False)
                   for start in range(0, len(subset), size))
        devices = [torch.cuda.current_device()] \
            if torch.cuda.is_available() else []
        # Reading the data draws no random numbers the run would see.
        with torch.random.fork_rng(devices=devices):
            self.fill_teacher_cache(batches)
        cache = self.teacher_cache
        self.log(f'teacher cache: {len(cache)} images x {self.old_tasks} '
                 f'({cache.dtype}, labels of '
                 f'{sorted(cache.label_channels) or "none"}): '
                 f'{cache.nbytes() / 2**20:.1f} MiB')

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

    def old_task_scales(self, distilled: Sequence[str]) -> Dict[str, float]:
        """Multiplier of each distilled old task's terms relative to the
        uniform share (1 / num_old of a component's weight): ``num_old /
        num_distilled`` (unbiased sampling), times the weight component's
        scale."""
        scale = len(self.old_tasks) / max(len(distilled), 1)
        if self.weighting is None:
            return {name: scale for name in distilled}
        adaptive = self.weighting.scales(self.old_tasks, len(self.new_tasks))
        return {name: scale * adaptive[name] for name in distilled}

    def loss(self, inputs: Tensor,
             data_samples: Sequence[MultiTaskDataSample]) -> Dict[str, Tensor]:
        """L_new of the phase's tasks plus the components' terms (the
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
        if self.isolation is not None:
            feats = None
            outputs = self.isolation.predict_tasks(inputs, self.new_tasks)
        else:
            feats = self.architecture.extract_feat(inputs)
            outputs = self.architecture.decode(
                feats, self.new_tasks + distilled, inputs.shape[2:])
        losses = self.architecture.supervised_losses(outputs, data_samples,
                                                     self.new_tasks)
        if self.weighting is not None and distilled:
            self.weighting.observe(outputs, self.new_tasks, distilled)
        step = TrainStep(inputs, data_samples, feats, outputs, distilled,
                         self.old_task_scales(distilled),
                         self.teacher_pass(inputs, data_samples))
        for component in self.components.values():
            if isinstance(component, LossComponent):
                for key, value in component.losses(step).items():
                    losses[f'{component.kind}.{key}'] = value
        return losses
