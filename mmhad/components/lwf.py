"""LwF: plain pixel-wise distillation of every old head (Li & Hoiem)."""
from typing import Dict, Optional

from torch import Tensor

from mmhad.registry import MODELS
from mmhad.utils.knobs import NON_NEGATIVE, POSITIVE
from .base import LossComponent


@MODELS.register_module()
class LwF(LossComponent):
    """Learning without Forgetting for heterogeneous dense tasks.

    The frozen teacher predicts every old task on the new images and the
    student matches it pixel by pixel with each task kind's
    :meth:`~mmhad.tasks.DenseTask.soft_pixel_loss` (KL at temperature T for
    classification, L1 / 1 - cosine to the teacher's prediction for
    regression), averaged over all pixels: the "naive distillation" HAD
    improves on with its balanced and salience-guided terms.

        L = L_new + lambda / (t - 1) * sum_j mean(I_j)

    Args:
        loss_weight (float): lambda.
        temperature (float): Softening of classification outputs (Hinton's
            KD with T > 1; LwF used T = 2).
    """

    kind = 'distill'
    needs_teacher = True
    distils_old_tasks = True

    KNOBS = dict(loss_weight=NON_NEGATIVE, temperature=POSITIVE)

    #: Old names of knobs, still accepted (with a warning).
    RENAMED = dict(distill_weight='loss_weight')

    def __init__(self,
                 loss_weight: float = 1.0,
                 temperature: float = 2.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        self.loss_weight = loss_weight
        self.temperature = temperature

    def losses(self, step) -> Dict[str, Tensor]:
        if not step.distilled:
            return {}
        teacher_outputs = step.teacher_outputs(step.distilled)
        weight = self.loss_weight / len(self.old_tasks)
        return {
            f'loss_lwf.{name}':
            weight * step.old_task_scales[name] *
            self.tasks[name].soft_pixel_loss(
                step.outputs[name], teacher_outputs[name],
                self.temperature).mean()
            for name in step.distilled
        }
