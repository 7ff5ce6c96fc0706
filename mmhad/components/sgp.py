"""SGP: scaled gradient projection (Saha & Roy, AAAI 2023)."""
from typing import Dict, Iterable, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmhad.registry import MODELS
from mmhad.utils.knobs import COUNT, NON_NEGATIVE, Range
from .base import StepFilterComponent


def layer_inputs(conv: nn.Conv2d, x: Tensor, max_columns: int,
                 generator: torch.Generator) -> Tensor:
    """A convolution's input patches as columns (C k k, n): at most
    ``max_columns`` of them, drawn with ``generator``."""
    cols = F.unfold(x, conv.kernel_size, conv.dilation, conv.padding,
                    conv.stride)  # (N, C k k, L)
    cols = cols.transpose(0, 1).flatten(1)
    if cols.shape[1] > max_columns:
        pick = torch.randperm(cols.shape[1], generator=generator)
        cols = cols[:, pick[:max_columns].to(cols.device)]
    return cols


def extend_basis(basis: Optional[Tensor], scales: Optional[Tensor],
                 reps: Tensor, threshold: float,
                 scale_coefficient: float) -> tuple:
    """Add a phase's representation directions to a layer's basis.

    The part of ``reps`` (d, n) the basis does not span yet is decomposed
    (SVD); new directions are kept, largest first, until basis and new
    directions together hold ``threshold`` of the representations' energy.
    Each new direction gets the importance (alpha + 1) s / (alpha s +
    s_max) of its singular value s (SGP's scaling; the largest gets 1).

    Returns:
        tuple[Tensor, Tensor]: Orthonormal basis (d, r) and importances (r,).
    """
    total = (reps**2).sum()
    if basis is None:
        basis = reps.new_zeros(reps.shape[0], 0)
        scales = reps.new_zeros(0)
    captured = ((basis.t() @ reps)**2).sum()
    residual = reps - basis @ (basis.t() @ reps)
    u, s, _ = torch.linalg.svd(residual, full_matrices=False)
    needed = threshold * total - captured
    if needed <= 0 or s.numel() == 0:
        return basis, scales
    keep = int((torch.cumsum(s**2, 0) < needed).sum()) + 1
    keep = min(keep, s.numel())
    new_scales = (scale_coefficient + 1) * s[:keep] / (
        scale_coefficient * s[:keep] + s[0])
    return torch.cat([basis, u[:, :keep]], 1), torch.cat([scales,
                                                          new_scales])


@MODELS.register_module()
class SGP(StepFilterComponent):
    """Scaled gradient projection on the shared backbone's convolutions.

    At the end of each phase every convolution of the backbone records its
    input patches on the phase's data; the directions they span are added
    to the layer's basis (:func:`extend_basis`, energy ``threshold``) with
    importances from their singular values. In later phases a weight update
    G of such a layer (as an (out, C k k) matrix) is replaced by G - G M,
    M = U diag(lambda) U^T: moves along directions earlier tasks' inputs
    use are cut by their importance, other directions are free. SGP
    projects the gradient for SGD; the configs train with Adam, so the
    projection is applied to the optimizer's step (:class:`StepFilter`).
    Bases and importances are in the state dict (phase checkpoints and
    resume carry them). No loss term is added.

    Args:
        threshold (float): Energy of a layer's representations its basis
            must hold (SGP used 0.97 and more).
        scale_coefficient (float): alpha of the importance scaling.
        max_batches (int): Batches of a phase's data recorded.
        max_columns (int): Input patches kept per layer and batch.
    """

    KNOBS = dict(threshold=Range(0., 1., low_open=True),
                 scale_coefficient=NON_NEGATIVE, max_batches=COUNT,
                 max_columns=COUNT)

    def __init__(self,
                 threshold: float = 0.97,
                 scale_coefficient: float = 10.0,
                 max_batches: int = 4,
                 max_columns: int = 512,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        if not 0 < threshold <= 1:
            raise ValueError(f'threshold must be in (0, 1], got {threshold}')
        self.threshold = threshold
        self.scale_coefficient = scale_coefficient
        self.max_batches = max_batches
        self.max_columns = max_columns
        self.bases: Dict[str, Tensor] = {}
        self.scales: Dict[str, Tensor] = {}
        self._projections: Dict[str, Tensor] = {}

    def _convs(self) -> Dict[str, nn.Conv2d]:
        """Backbone convolutions by the name of their weight."""
        return {f'backbone.{name}.weight': m
                for name, m in self.architecture.backbone.named_modules()
                if isinstance(m, nn.Conv2d)}

    def end_phase(self, dataloader: Iterable) -> None:
        convs = self._convs()
        reps = {name: [] for name in convs}
        generator = torch.Generator().manual_seed(self.phase)
        hooks = [
            conv.register_forward_pre_hook(
                lambda m, args, name=name: reps[name].append(layer_inputs(
                    m, args[0].detach(), self.max_columns, generator)))
            for name, conv in convs.items()
        ]
        algorithm = self.algorithm
        was_training = algorithm.training
        algorithm.eval()
        try:
            with torch.no_grad():
                for index, data in enumerate(dataloader):
                    if index >= self.max_batches:
                        break
                    data = algorithm.data_preprocessor(data, False)
                    algorithm.extract_feat(data['inputs'])
        finally:
            for hook in hooks:
                hook.remove()
            algorithm.train(was_training)
        for name, columns in reps.items():
            if columns:
                self.bases[name], self.scales[name] = extend_basis(
                    self.bases.get(name), self.scales.get(name),
                    torch.cat(columns, 1).float(), self.threshold,
                    self.scale_coefficient)
        self._projections = {}

    def filtered_names(self):
        return self.bases

    def filter_step(self, name: str, step: Tensor) -> Tensor:
        if name not in self._projections:
            basis = self.bases[name].to(step)
            self._projections[name] = basis @ torch.diag(
                self.scales[name].to(step)) @ basis.t()
        flat = step.reshape(step.shape[0], -1)
        return (flat - flat @ self._projections[name]).view_as(step)

    def get_extra_state(self) -> dict:
        return dict(bases=self.bases, scales=self.scales)

    def set_extra_state(self, state: dict) -> None:
        self.bases = dict(state.get('bases', {}))
        self.scales = dict(state.get('scales', {}))
        self._projections = {}
