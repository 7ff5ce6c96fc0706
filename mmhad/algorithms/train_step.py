"""What one training step hands to the components of a lifelong algorithm."""
from typing import Callable, Dict, List, Optional, Sequence

from torch import Tensor

from mmhad.structures import MultiTaskDataSample


class TrainStep:
    """The student's forward pass of one batch, shared by every component.

    The teacher runs at most once per step, whatever the number of
    components that read it (HAD and LwF together cost one teacher pass).

    Args:
        inputs (Tensor): Normalised images (N, 3, H, W).
        data_samples (list[MultiTaskDataSample]): The batch's ground truth.
        feats (list[Tensor] | None): The student's backbone (+ neck)
            features; ``None`` when an isolation component computes
            features per task.
        outputs (dict[str, Tensor]): The student's activated predictions
            (N, C, H, W) of the phase's tasks and of ``distilled``.
        distilled (list[str]): Old tasks drawn for distillation this step.
        old_task_scales (dict[str, float]): Multiplier of each distilled
            task's terms relative to the uniform 1 / num_old share.
        teacher_predict (callable): ``names -> {name: (N, C, H, W)}``, the
            teacher's predictions (from the teacher cache where it holds
            them).
        teacher_feats (callable): ``() -> list[Tensor]``, the teacher's
            backbone (+ neck) features.
    """

    def __init__(self, inputs: Tensor,
                 data_samples: Sequence[MultiTaskDataSample],
                 feats: Optional[List[Tensor]], outputs: Dict[str, Tensor],
                 distilled: List[str], old_task_scales: Dict[str, float],
                 teacher_predict: Callable, teacher_feats: Callable) -> None:
        self.inputs = inputs
        self.data_samples = data_samples
        self.feats = feats
        self.outputs = outputs
        self.distilled = distilled
        self.old_task_scales = old_task_scales
        self._teacher_predict = teacher_predict
        self._teacher_feats = teacher_feats
        self._teacher_outputs: Dict[str, Tensor] = {}
        self._teacher_feat_cache: Optional[List[Tensor]] = None

    def teacher_outputs(self, names: Sequence[str]) -> Dict[str, Tensor]:
        """The teacher's activated predictions of ``names``, no grad."""
        missing = [n for n in names if n not in self._teacher_outputs]
        if missing:
            self._teacher_outputs.update(self._teacher_predict(missing))
        return {name: self._teacher_outputs[name] for name in names}

    def teacher_feats(self) -> List[Tensor]:
        """The teacher's backbone (+ neck) features, no grad."""
        if self._teacher_feat_cache is None:
            self._teacher_feat_cache = self._teacher_feats()
        return self._teacher_feat_cache
