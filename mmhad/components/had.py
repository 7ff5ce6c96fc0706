"""HAD: Heterogeneity-Aware Distillation (CVPR 2026)."""
from typing import Dict, List, Optional, Tuple

import torch.nn as nn
from torch import Tensor

from mmhad.registry import MODELS, PSEUDO_GROUPINGS
from mmhad.utils.knobs import NON_NEGATIVE, UNIT
from .base import LossComponent
from .pseudo_groups import PseudoGrouping

_FAMILIES = ('classification', 'regression')
_CONFIDENCE_GUARDS = ('discard', 'scale')


def build_per_family(cfg: Optional[dict]) -> Optional[nn.ModuleDict]:
    """Build one loss per task family from a loss config.

    Args:
        cfg (dict, optional): Either one loss config, used for every task,
            or a dict with the keys ``'classification'`` and/or
            ``'regression'`` mapping to a loss config or ``None`` (the
            reference code's per-family choices).

    Returns:
        nn.ModuleDict or None: Family -> loss; a family without a loss is
        missing.
    """
    if cfg is None:
        return None
    if 'type' in cfg:
        cfg = {family: cfg for family in _FAMILIES}
    unknown = set(cfg) - set(_FAMILIES)
    if unknown:
        raise ValueError(f'per-family loss keys must be {_FAMILIES} (or give '
                         f"one loss config with 'type'), got "
                         f'{sorted(unknown)}')
    return nn.ModuleDict({family: MODELS.build(c)
                          for family, c in cfg.items() if c is not None})


@MODELS.register_module()
class HAD(LossComponent):
    """Heterogeneity-aware distillation of every old task.

    In phase t >= 2 the frozen teacher labels each batch for every old task
    j; with I_j the per-pixel loss between the student's prediction and that
    pseudo-label,

        L = L_new + lambda / (2 (t - 1)) * sum_j (L_db,j + L_sg,j)

    where L_db is :class:`DistributionBalancedLoss` over the task's
    pseudo-label groups (classes, or foreground/background of the
    normalised pseudo-label) and L_sg is :class:`SalienceGuidedLoss` over
    the Sobel-salient pixels of I_j. The teacher's backbone runs once per
    batch for all old heads. The public reference code's HAD is
    :class:`~mmhad.components.had_reference.ReferenceHAD` with its own
    grouping and SG loss (``configs/_base_/methods/had_reference.py``).

    Args:
        loss_weight (float): lambda (paper and reference default 3).
        db_loss (dict, optional): DB loss config, or per-family configs
            (``dict(classification=..., regression=...)``, see
            :func:`build_per_family`); ``None`` drops DB-HAD.
        sg_loss (dict, optional): SG loss config, or per-family configs;
            ``None`` drops SG-HAD.
        groupings (dict, optional): Family (``'classification'``,
            ``'regression'``) -> pseudo-label grouping config
            (``PSEUDO_GROUPINGS``), e.g. ``dict(regression=dict(
            type='ForegroundGrouping', delta=0.5, num_bins=10))`` for the
            paper's bin ablation; a family not given groups each task as
            its output form says (:attr:`OutputForm.grouping`).
        confidence_threshold (float, optional): Pixels whose teacher
            confidence (the output form's
            :meth:`~mmhad.tasks.output_forms.OutputForm.confidence`, the
            top-1 probability for classes) is below this are neither
            grouped nor salient: a pseudo-label is only as good as the
            teacher. ``None`` (the paper) distils every pixel; kinds without
            a confidence are always distilled in full.
        confidence_guard (str): What happens to a pixel below
            ``confidence_threshold``: ``'discard'`` leaves it out of the
            groups and the salience; ``'scale'`` keeps it, its loss
            multiplied by confidence / threshold, so that a class the
            teacher predicts rightly but unsurely (a weak teacher's large
            uniform regions) is still distilled, only more softly.
    """

    kind = 'distill'
    needs_teacher = True
    distils_old_tasks = True

    KNOBS = dict(loss_weight=NON_NEGATIVE, confidence_threshold=UNIT)

    #: Old names of knobs, still accepted (with a warning).
    RENAMED = dict(distill_weight='loss_weight')
    #: Knobs that are no longer HAD's, and what took their place.
    REPLACED = dict(
        delta="groupings=dict(regression=dict(type='ForegroundGrouping', "
        'delta=...))',
        regression_bins="groupings=dict(regression=dict(type="
        "'ForegroundGrouping', num_bins=...))",
        regression_groups="the reference code's grouping: groupings=dict("
        "regression=dict(type='ReferenceForegroundGrouping'))",
        strict_split="the reference code's grouping: groupings=dict("
        "regression=dict(type='ReferenceForegroundGrouping'))",
        task_weighting="the reference code's lambda / 2: type='ReferenceHAD'"
    )

    def __init__(self,
                 loss_weight: float = 3.0,
                 db_loss: Optional[dict] = dict(
                     type='DistributionBalancedLoss'),
                 sg_loss: Optional[dict] = dict(type='SalienceGuidedLoss'),
                 groupings: Optional[Dict[str, dict]] = None,
                 confidence_threshold: Optional[float] = None,
                 confidence_guard: str = 'discard',
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        if db_loss is None and sg_loss is None:
            raise ValueError('HAD needs db_loss, sg_loss or both; use '
                             'a LifelongAlgorithm with no components for no '
                             'distillation')
        if confidence_guard not in _CONFIDENCE_GUARDS:
            raise ValueError(f'confidence_guard must be one of '
                             f'{_CONFIDENCE_GUARDS}, got {confidence_guard!r}')
        unknown = set(groupings or {}) - set(_FAMILIES)
        if unknown:
            raise ValueError(f'HAD: groupings keys must be among {_FAMILIES}, '
                             f'got {sorted(unknown)}')
        self.loss_weight = loss_weight
        # built now: a grouping's knobs are checked with the config
        self.family_groupings: Dict[str, PseudoGrouping] = {
            family: PSEUDO_GROUPINGS.build(cfg)
            for family, cfg in (groupings or {}).items() if cfg is not None}
        self.confidence_threshold = confidence_threshold
        self.confidence_guard = confidence_guard
        self.db_losses = build_per_family(db_loss)
        self.sg_losses = build_per_family(sg_loss)
        self._groupings: Dict[str, PseudoGrouping] = {}

    def grouping(self, task) -> PseudoGrouping:
        """The pseudo-label grouping of ``task``: its family's from
        ``groupings``, else its output form's default
        (:attr:`~mmhad.tasks.output_forms.OutputForm.grouping`, built once
        per form)."""
        form = task.output_form
        if form.family in self.family_groupings:
            return self.family_groupings[form.family]
        if task.OUTPUT_FORM not in self._groupings:
            self._groupings[task.OUTPUT_FORM] = PSEUDO_GROUPINGS.build(
                form.grouping)
        return self._groupings[task.OUTPUT_FORM]

    def teacher_label_tasks(self) -> List[str]:
        # classification tasks need more than the argmax for the guard
        if self.confidence_threshold is not None:
            return []
        return [name for name in self.old_tasks
                if self.tasks[name].output_form.family == 'classification']

    def task_weight(self) -> float:
        """Weight of one old task's (L_db + L_sg) in the current phase:
        lambda / (2 (t - 1))."""
        return self.loss_weight / (2 * len(self.old_tasks))

    def losses(self, step) -> Dict[str, Tensor]:
        distilled = step.distilled
        if not distilled:
            return {}
        teacher_outputs = step.teacher_outputs(distilled)
        outputs = step.outputs
        task_weight = self.task_weight()
        scales = step.old_task_scales
        losses = {}
        for name in distilled:
            weight = task_weight * scales[name]
            task = self.tasks[name]
            pseudo = task.pseudo_label(teacher_outputs[name])
            loss_map, valid = self._guard(
                task, task.pixel_loss(outputs[name], pseudo),
                teacher_outputs[name])
            db_loss = self._family_loss(self.db_losses, task)
            if db_loss is not None:
                losses[f'{db_loss.loss_name}.{name}'] = weight * db_loss(
                    loss_map,
                    self._groups(task, pseudo, outputs[name]),
                    valid=valid,
                    num_groups=self.grouping(task).num_groups(task))
            sg_loss = self._family_loss(self.sg_losses, task)
            if sg_loss is not None:
                losses[f'{sg_loss.loss_name}.{name}'] = \
                    weight * sg_loss(loss_map, valid=valid)
        return losses

    def _family_loss(self, losses: Optional[nn.ModuleDict],
                     task) -> Optional[nn.Module]:
        family = task.output_form.family
        if losses is None or family not in losses:
            return None
        return losses[family]

    def _guard(self, task, loss_map: Tensor, teacher_pred: Tensor
               ) -> Tuple[Tensor, Optional[Tensor]]:
        """Apply the weak-teacher guard to one old task's loss map.

        Args:
            task (DenseTask): The old task.
            loss_map (Tensor): Per-pixel distillation loss (N, H, W).
            teacher_pred (Tensor): The teacher's raw output for the task.

        Returns:
            tuple: The loss map, scaled under ``'scale'``, and the bool
            mask (N, H, W) of pixels to distil (``None``: all).
        """
        if self.confidence_threshold is None:
            return loss_map, None
        confidence = task.output_form.confidence(task, teacher_pred)
        if confidence is None:
            return loss_map, None
        if self.confidence_guard == 'scale':
            scale = (confidence / self.confidence_threshold).clamp(max=1)
            return loss_map * scale.detach(), None
        return loss_map, confidence >= self.confidence_threshold

    def _groups(self, task, pseudo: Tensor, student_pred: Tensor) -> Tensor:
        """DB-HAD group ids (N, H, W) of one old task's pixels."""
        return self.grouping(task).groups(task, pseudo, student_pred)
