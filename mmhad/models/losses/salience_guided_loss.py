"""SG-HAD: salience-guided distillation loss.

The Sobel operator is applied to the distillation **loss map** (not to the
prediction or the pseudo-label): where the loss changes sharply the student
disagrees with the teacher along structures (object boundaries), and those
pixels get an extra loss term.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmhad.registry import MODELS

_SOBEL_H = torch.tensor([[-1., 0., 1.], [-2., 0., 2.], [-1., 0., 1.]])


def sobel_magnitude(x: Tensor, padding: str = 'replicate') -> Tensor:
    """Sobel gradient magnitude sqrt((S_h * x)^2 + (S_v * x)^2).

    Args:
        x (Tensor): Maps of shape (N, H, W).
        padding (str): ``'replicate'`` (no false edges at the image border,
            the default) or ``'zeros'`` (as the reference code, which then
            tends to select the border).

    Returns:
        Tensor: Gradient magnitude, shape (N, H, W).
    """
    if padding not in ('replicate', 'zeros'):
        raise ValueError(
            f"padding must be 'replicate' or 'zeros', got {padding!r}")
    kernel_h = _SOBEL_H.to(x)
    kernels = torch.stack([kernel_h, kernel_h.t()]).unsqueeze(1)  # (2,1,3,3)
    x = x.unsqueeze(1)
    if padding == 'replicate':
        x = F.pad(x, (1, 1, 1, 1), mode='replicate')
    else:
        x = F.pad(x, (1, 1, 1, 1), mode='constant', value=0.)
    grad = F.conv2d(x, kernels)
    return grad.pow(2).sum(dim=1).sqrt()


def salience_guided_loss(loss_map: Tensor,
                         threshold: float = 0.9,
                         normalize: bool = True,
                         padding: str = 'replicate',
                         reduction: str = 'salient') -> Tensor:
    """Mean of the loss map over its salient pixels.

    Salient pixels P are those whose Sobel magnitude G of the (detached) loss
    map exceeds ``threshold``; with ``normalize`` G is min-max normalised to
    [0, 1] per image first (the reference code, where k = 0.9).

    Args:
        loss_map (Tensor): Per-pixel loss I, shape (N, H, W).
        threshold (float): k.
        normalize (bool): Min-max normalise G per image before thresholding.
        padding (str): Border handling of the Sobel filter.
        reduction (str): ``'salient'`` divides by |P| (the paper);
            ``'all'`` divides by the number of pixels (the reference code's
            segmentation variant).

    Returns:
        Tensor: Scalar; 0 (with a zero gradient) when P is empty.
    """
    if reduction not in ('salient', 'all'):
        raise ValueError(
            f"reduction must be 'salient' or 'all', got {reduction!r}")
    loss_map = loss_map.float()
    # The selection is not differentiable; only I carries the gradient.
    grad = sobel_magnitude(loss_map.detach(), padding)
    if normalize:
        flat = grad.flatten(1)
        low = flat.min(dim=1).values[:, None, None]
        high = flat.max(dim=1).values[:, None, None]
        grad = (grad - low) / (high - low).clamp(min=1e-12)
    salient = grad > threshold
    total = (loss_map * salient).sum()
    if reduction == 'all':
        return total / loss_map.numel()
    return total / salient.sum().clamp(min=1)


@MODELS.register_module()
class SalienceGuidedLoss(nn.Module):
    """Module form of :func:`salience_guided_loss`.

    Args:
        threshold (float): k, the salience threshold.
        normalize (bool): Min-max normalise the Sobel magnitude per image.
        padding (str): ``'replicate'`` or ``'zeros'``.
        reduction (str): ``'salient'`` or ``'all'``.
        loss_name (str): Prefix of the logged loss keys.
    """

    def __init__(self,
                 threshold: float = 0.9,
                 normalize: bool = True,
                 padding: str = 'replicate',
                 reduction: str = 'salient',
                 loss_name: str = 'loss_sg') -> None:
        super().__init__()
        self.threshold = threshold
        self.normalize = normalize
        self.padding = padding
        self.reduction = reduction
        self._loss_name = loss_name

    def forward(self, loss_map: Tensor) -> Tensor:
        return salience_guided_loss(loss_map, self.threshold, self.normalize,
                                    self.padding, self.reduction)

    @property
    def loss_name(self) -> str:
        return self._loss_name
