"""Parameter isolation by learned binary masks (Piggyback, Mallya et al.)."""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
from torch import Tensor
from torch.func import functional_call

from mmhad.registry import MODELS
from mmhad.utils.knobs import ANY_FINITE
from .base import IsolationComponent


def _key(name: str) -> str:
    """A parameter name as a ParameterDict key (no dots)."""
    return name.replace('.', '__')


@MODELS.register_module()
class Piggyback(IsolationComponent):
    """One learned binary mask per task over the shared backbone's weights.

    The first phase trains the backbone and its head as usual; its task
    uses the weights unmasked. From the second phase on the backbone's
    weights and norm layers are frozen, and each new task learns a real
    score per convolution weight: its mask is ``score > threshold``, with a
    straight-through gradient to the scores (Piggyback). A task's
    prediction runs the backbone with its own mask, so the old tasks'
    predictions never change: zero forgetting by construction, the upper
    anchor of exemplar-free methods beside joint training. Cost: one score
    per backbone convolution weight and task while training (1 bit per
    weight and task once binarised), and one backbone pass per task at
    prediction time.

    Args:
        threshold (float): Score above which a weight is kept.
        init_score (float): Initial score (above ``threshold``: a new task
            starts from the unmasked weights).
    """

    # the old tasks' predictions must not move: the shared norm layers keep
    # their running statistics once the first task is learnt
    norm_eval_from_phase = 2

    # masks are scores above the threshold: any finite value is a mask
    KNOBS = dict(threshold=ANY_FINITE, init_score=ANY_FINITE)

    def __init__(self,
                 threshold: float = 5e-3,
                 init_score: float = 1e-2,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.threshold = threshold
        self.init_score = init_score
        self.mask_scores = nn.ModuleDict()

    def _masked_weights(self) -> Dict[str, nn.Parameter]:
        return {name: p
                for name, p in self.architecture.backbone.named_parameters()
                if name.endswith('weight') and p.dim() == 4}

    def task_added(self, name: str) -> None:
        if len(self.architecture.heads) > 1:
            # the first task owns the unmasked weights
            self.mask_scores[name] = nn.ParameterDict({
                _key(n): nn.Parameter(torch.full_like(p, self.init_score))
                for n, p in self._masked_weights().items()
            })

    def new_parameters(self, name: str) -> List[nn.Parameter]:
        scores = self.mask_scores[name] if name in self.mask_scores else {}
        return list(scores.values())

    def begin_phase(self, phase: int) -> None:
        if phase > 1:
            heads = self.architecture.heads
            self.architecture.backbone.requires_grad_(False)
            for name in heads:
                trainable = name in self.new_tasks
                heads[name].requires_grad_(trainable)
                if name in self.mask_scores:
                    self.mask_scores[name].requires_grad_(trainable)

    def task_features(self, name: str, inputs: Tensor) -> Sequence[Tensor]:
        """Backbone (+ neck) features with task ``name``'s mask."""
        architecture = self.architecture
        if name not in self.mask_scores:
            return architecture.extract_feat(inputs)
        scores = self.mask_scores[name]
        weights = {}
        for param_name, weight in self._masked_weights().items():
            score = scores[_key(param_name)]
            # binary forward, straight-through gradient to the score
            mask = (score > self.threshold).to(weight) + score - score.detach()
            weights[param_name] = weight * mask
        feats = functional_call(architecture.backbone, weights, (inputs, ))
        return architecture.neck(feats) \
            if architecture.neck is not None else feats

    def predict_tasks(self,
                      inputs: Tensor,
                      names: Optional[Sequence[str]] = None
                      ) -> Dict[str, Tensor]:
        """Each task's prediction from the backbone under its own mask."""
        names = self.architecture.task_names if names is None else names
        return {
            name: self.architecture.decode(
                self.task_features(name, inputs), [name],
                inputs.shape[2:])[name]
            for name in names
        }

    def mask_density(self, name: str) -> float:
        """Fraction of the backbone's convolution weights task ``name``
        keeps (1 for the first task)."""
        if name not in self.mask_scores:
            return 1.0
        kept = sum(int((s > self.threshold).sum())
                   for s in self.mask_scores[name].values())
        total = sum(s.numel() for s in self.mask_scores[name].values())
        return kept / total
