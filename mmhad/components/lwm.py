"""Attention distillation, the term LwM adds to LwF (Dhar et al., CVPR
2019)."""
from typing import Dict, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

from mmhad.registry import MODELS
from mmhad.utils.knobs import NON_NEGATIVE
from .base import LossComponent


def grad_cam(feat: Tensor, score: Tensor, create_graph: bool) -> Tensor:
    """L2-normalised Grad-CAM map of a score over a feature map.

    Args:
        feat (Tensor): Shared features (N, K, h, w) the score depends on.
        score (Tensor): Scalar, a sum over the batch of per-image scores.
        create_graph (bool): Keep the map differentiable (the student's).

    Returns:
        Tensor: (N, h * w), ReLU(sum_k alpha_k F_k) with alpha_k the
        spatial mean of d score / d F_k, each image's map of unit L2 norm.
    """
    grad, = torch.autograd.grad(score, feat, create_graph=create_graph,
                                retain_graph=True)
    alpha = grad.mean(dim=(2, 3), keepdim=True)
    cam = F.relu((alpha * feat).sum(dim=1)).flatten(1)
    return F.normalize(cam, dim=1, eps=1e-12)


@MODELS.register_module()
class AttentionDistillation(LossComponent):
    """Keep the Grad-CAM attention of every old task (LwM's L_AD).

    For every old task j, an attention-distillation term between the
    teacher's and the student's Grad-CAM maps of the shared features that
    task j's head reads:

        L_AD,j = mean_n || Q_s,n / |Q_s,n| - Q_t,n / |Q_t,n| ||_1

    Learning without Memorizing is LwF plus this term: the
    ``lwm_r18_*`` configs add it to the ``lwf`` component. The explained
    score is the task's output form's
    (:meth:`~mmhad.tasks.output_forms.OutputForm.attention_score`): the mean
    log probability of the teacher's pseudo-label (its predicted class, or
    side of 0.5 for binary maps) for classes and binary maps, the mean
    prediction for regression maps and unit vectors. The student's map stays
    differentiable (double back-propagation, as in LwM), so a step costs
    about one more backward pass.

    Args:
        loss_weight (float): gamma, the weight of L_AD (LwM used 1).
    """

    kind = 'distill'
    needs_teacher = True
    distils_old_tasks = True

    KNOBS = dict(loss_weight=NON_NEGATIVE)

    #: Old names of knobs, still accepted (with a warning).
    RENAMED = dict(attention_weight='loss_weight')

    def __init__(self,
                 loss_weight: float = 1.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.loss_weight = loss_weight

    def _score(self, name: str, pred: Tensor, pseudo: Tensor) -> Tensor:
        task = self.tasks[name]
        return task.output_form.attention_score(task, pred, pseudo)

    def _feat_index(self, name: str, num_feats: int) -> int:
        return getattr(self.architecture.heads[name], 'in_index',
                       num_feats - 1)

    def _teacher_maps(self, step,
                      distilled: Sequence[str]) -> Dict[str, tuple]:
        """Teacher Grad-CAM maps and pseudo-labels of ``distilled``."""
        feats = step.teacher_feats()
        teacher = self.algorithm.teacher
        maps = {}
        with torch.enable_grad():
            for name in distilled:
                index = self._feat_index(name, len(feats))
                feat = feats[index].detach().requires_grad_(True)
                pred = teacher.decode(
                    feats[:index] + [feat] + feats[index + 1:], [name],
                    step.inputs.shape[2:])[name]
                pseudo = self.tasks[name].pseudo_label(pred.detach())
                maps[name] = (grad_cam(feat, self._score(name, pred, pseudo),
                                       create_graph=False).detach(), pseudo)
        return maps

    def losses(self, step) -> Dict[str, Tensor]:
        losses = {}
        if not step.distilled:
            return losses
        weight = self.loss_weight / len(self.old_tasks)
        for name, (teacher_map, pseudo) in self._teacher_maps(
                step, step.distilled).items():
            feat = step.feats[self._feat_index(name, len(step.feats))]
            student_map = grad_cam(
                feat, self._score(name, step.outputs[name], pseudo),
                create_graph=True)
            losses[f'loss_lwm.{name}'] = weight * step.old_task_scales[
                name] * (student_map - teacher_map).abs().sum(dim=1).mean()
        return losses
