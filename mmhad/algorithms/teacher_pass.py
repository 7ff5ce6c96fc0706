"""The frozen teacher on one training batch, run once whatever is read."""
from typing import Callable, Dict, List, Optional, Sequence

import torch
import torch.nn as nn
from torch import Tensor


class TeacherPass:
    """The teacher's view of one batch, shared by every component of a step.

    Its backbone (+ neck) runs at most once, when a component first reads
    its features or a prediction the teacher cache does not hold; each
    head runs when its task is first read, on those features. So LwF's
    outputs and FitNets' or LwM's features together cost one backbone
    pass, and reading one more task costs one head.

    Args:
        teacher (nn.Module, optional): The frozen
            :class:`~mmhad.models.LifelongDensePredictor` of the phase
            (``None``: no teacher; reading it raises).
        inputs (Tensor): The batch's normalised images (N, 3, H, W).
        cached (callable, optional): ``names -> {name: (N, C, H, W)}`` or
            ``None``: the teacher cache's outputs when it holds every image
            of the batch.
        phase (int): The phase, for the error without a teacher.
    """

    def __init__(self,
                 teacher: Optional[nn.Module],
                 inputs: Tensor,
                 cached: Optional[Callable] = None,
                 phase: int = 0) -> None:
        self.teacher = teacher
        self.inputs = inputs
        self.cached = cached
        self.phase = phase
        self._feats: Optional[List[Tensor]] = None
        self._outputs: Dict[str, Tensor] = {}

    def _teacher(self) -> nn.Module:
        if self.teacher is None:
            raise RuntimeError(f'no teacher in phase {self.phase}')
        return self.teacher

    def feats(self) -> List[Tensor]:
        """The teacher's backbone (+ neck) features, no grad."""
        if self._feats is None:
            with torch.no_grad():
                self._feats = list(self._teacher().extract_feat(self.inputs))
        return self._feats

    def outputs(self, names: Sequence[str]) -> Dict[str, Tensor]:
        """The teacher's activated predictions (N, C, H, W) of ``names``,
        no grad: from the cache where it holds them, else decoded from
        :meth:`feats`."""
        missing = [name for name in names if name not in self._outputs]
        if missing:
            found = self.cached(missing) if self.cached is not None else None
            if found is None:
                feats = self.feats()
                with torch.no_grad():
                    found = self.teacher.decode(feats, missing,
                                                self.inputs.shape[2:])
            self._outputs.update(found)
        return {name: self._outputs[name] for name in names}
