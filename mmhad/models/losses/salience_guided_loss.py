"""SG-HAD: salience-guided distillation loss.

The Sobel operator is applied to the distillation **loss map** (not to the
prediction or the pseudo-label): where the loss changes sharply the student
disagrees with the teacher along structures (object boundaries), and those
pixels get an extra loss term.
"""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from mmhad.registry import MODELS
from mmhad.utils.knobs import NON_NEGATIVE, RangeChecked

_SOBEL_H = torch.tensor([[-1., 0., 1.], [-2., 0., 2.], [-1., 0., 1.]])


def _check_padding(padding: str) -> None:
    if padding not in ('replicate', 'zeros'):
        raise ValueError(
            f"padding must be 'replicate' or 'zeros', got {padding!r}")


def _check_reduction(reduction: str) -> None:
    if reduction not in ('salient', 'all'):
        raise ValueError(
            f"reduction must be 'salient' or 'all', got {reduction!r}")


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
    _check_padding(padding)
    kernel_h = _SOBEL_H.to(x)
    kernels = torch.stack([kernel_h, kernel_h.t()]).unsqueeze(1)  # (2,1,3,3)
    x = x.unsqueeze(1)
    if padding == 'replicate':
        x = F.pad(x, (1, 1, 1, 1), mode='replicate')
    else:
        x = F.pad(x, (1, 1, 1, 1), mode='constant', value=0.)
    # In fp32 under autocast too: a bf16 Sobel would move the salient set.
    with torch.autocast(x.device.type, enabled=False):
        grad = F.conv2d(x.float(), kernels.float())
    return grad.pow(2).sum(dim=1).sqrt()


def salient_pixels(loss_map: Tensor,
                   threshold: float = 0.9,
                   normalize: bool = True,
                   padding: str = 'replicate',
                   valid: Optional[Tensor] = None) -> Tensor:
    """The salient pixels P of a loss map: those whose Sobel magnitude G of
    the (detached) map exceeds ``threshold``; with ``normalize`` G is
    min-max normalised to [0, 1] per image first (the reference code, where
    k = 0.9).

    Args:
        loss_map (Tensor): Per-pixel loss I, shape (N, H, W).
        threshold (float): k.
        normalize (bool): Min-max normalise G per image before thresholding.
        padding (str): Border handling of the Sobel filter.
        valid (Tensor, optional): Bool mask (N, H, W); pixels outside it are
            never salient (e.g. where the teacher is not confident).

    Returns:
        Tensor: Bool mask (N, H, W).
    """
    # The selection is not differentiable; only I carries the gradient.
    grad = sobel_magnitude(loss_map.detach(), padding)
    if normalize:
        flat = grad.flatten(1)
        low = flat.min(dim=1).values[:, None, None]
        high = flat.max(dim=1).values[:, None, None]
        grad = (grad - low) / (high - low).clamp(min=1e-12)
    salient = grad > threshold
    if valid is not None:
        salient &= valid
    return salient


def scored_mean(loss_map: Tensor, times: Tensor, reduction: str,
                drop_zeros: bool, pixels: int) -> Tensor:
    """The loss map summed with each pixel scored ``times`` times, over
    the number of scores.

    Args:
        loss_map (Tensor): Per-pixel loss I (N, H, W), float.
        times (Tensor): How often each pixel is scored (N, H, W), of the
            dtype of ``loss_map``.
        reduction (str): ``'salient'`` divides by the number of scores;
            ``'all'`` by ``pixels``.
        drop_zeros (bool): Leave scores of a loss exactly 0 out of the
            count (``'salient'`` only).
        pixels (int): What ``'all'`` divides by.
    """
    total = (loss_map * times).sum()
    if reduction == 'all':
        return total / pixels
    if drop_zeros:
        times = times * (loss_map.detach() != 0)
    return total / times.sum().clamp(min=1)


def salience_guided_loss(loss_map: Tensor,
                         threshold: float = 0.9,
                         normalize: bool = True,
                         padding: str = 'replicate',
                         reduction: str = 'salient',
                         drop_zeros: bool = False,
                         valid: Optional[Tensor] = None) -> Tensor:
    """Mean of the loss map over its salient pixels
    (:func:`salient_pixels`).

    Args:
        loss_map (Tensor): Per-pixel loss I, shape (N, H, W).
        threshold (float): k.
        normalize (bool): Min-max normalise G per image before thresholding.
        padding (str): Border handling of the Sobel filter.
        reduction (str): ``'salient'`` divides by |P| (the paper);
            ``'all'`` divides by the number of pixels (the reference code's
            segmentation variant).
        drop_zeros (bool): Do not count salient pixels whose loss is exactly
            0 in |P| (the reference code divides by the non-zero count).
        valid (Tensor, optional): Bool mask (N, H, W); pixels outside it are
            never salient.

    Returns:
        Tensor: Scalar; 0 (with a zero gradient) when P is empty.
    """
    _check_reduction(reduction)
    loss_map = loss_map.float()
    salient = salient_pixels(loss_map, threshold, normalize, padding, valid)
    return scored_mean(loss_map, salient.to(loss_map.dtype), reduction,
                       drop_zeros, loss_map.numel())


@MODELS.register_module()
class SalienceGuidedLoss(RangeChecked, nn.Module):
    """Module form of :func:`salience_guided_loss`.

    Args:
        threshold (float): k, the salience threshold.
        normalize (bool): Min-max normalise the Sobel magnitude per image.
        padding (str): ``'replicate'`` or ``'zeros'``.
        reduction (str): ``'salient'`` or ``'all'``.
        drop_zeros (bool): Count only non-zero salient losses in |P|.
        loss_name (str): Prefix of the logged loss keys.
    """

    KNOBS = dict(threshold=NON_NEGATIVE)

    def __init__(self,
                 threshold: float = 0.9,
                 normalize: bool = True,
                 padding: str = 'replicate',
                 reduction: str = 'salient',
                 drop_zeros: bool = False,
                 loss_name: str = 'loss_sg') -> None:
        super().__init__()
        # Fail at build time, not at the first distillation step.
        if normalize and threshold >= 1:
            raise ValueError(
                f'SalienceGuidedLoss: threshold={threshold!r} with '
                'normalize=True selects no pixel (the normalised Sobel '
                'magnitude is at most 1); expected a threshold in [0, 1)')
        _check_padding(padding)
        _check_reduction(reduction)
        self.threshold = threshold
        self.normalize = normalize
        self.padding = padding
        self.reduction = reduction
        self.drop_zeros = drop_zeros
        self._loss_name = loss_name

    def forward(self,
                loss_map: Tensor,
                valid: Optional[Tensor] = None) -> Tensor:
        """Args: see :func:`salience_guided_loss`."""
        return salience_guided_loss(loss_map, self.threshold, self.normalize,
                                    self.padding, self.reduction,
                                    self.drop_zeros, valid)

    @property
    def loss_name(self) -> str:
        return self._loss_name
