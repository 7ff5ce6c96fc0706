"""What one training step hands to the components of a lifelong algorithm."""
from typing import Dict, List, Optional, Sequence

from torch import Tensor

from mmhad.structures import MultiTaskDataSample
from .teacher_pass import TeacherPass


class TrainStep:
    """The student's forward pass of one batch, shared by every component.

    The teacher's backbone runs at most once per step, whatever the
    components read of it (HAD and LwF together, or LwF's outputs and
    LwM's features, cost one teacher backbone pass; :class:`TeacherPass`).

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
        teacher (TeacherPass): The teacher on this batch.
    """

    def __init__(self, inputs: Tensor,
                 data_samples: Sequence[MultiTaskDataSample],
                 feats: Optional[List[Tensor]], outputs: Dict[str, Tensor],
                 distilled: List[str], old_task_scales: Dict[str, float],
                 teacher: TeacherPass) -> None:
        self.inputs = inputs
        self.data_samples = data_samples
        self.feats = feats
        self.outputs = outputs
        self.distilled = distilled
        self.old_task_scales = old_task_scales
        self.teacher = teacher

    def teacher_outputs(self, names: Sequence[str]) -> Dict[str, Tensor]:
        """The teacher's activated predictions of ``names``, no grad."""
        return self.teacher.outputs(names)

    def teacher_feats(self) -> List[Tensor]:
        """The teacher's backbone (+ neck) features, no grad."""
        return self.teacher.feats()
