"""Metrics of binary maps (boundaries, saliency) as summable statistics.

Boundary F-measure at the optimal dataset scale (ODS-F), in Python. The
BSDS benchmark (MATLAB, used by the multi-task literature through
``seism``) thins predictions by non-maximum suppression and matches
predicted to ground-truth boundary pixels one-to-one (``correspondPixels``,
a bipartite assignment within the tolerance). Here a predicted pixel counts
as correct when a ground-truth boundary pixel lies within the tolerance
(a disk of radius ``tolerance * image diagonal``), and a ground-truth pixel
as recalled when a predicted pixel does; no thinning, no one-to-one
assignment. Both are the same on thin, well separated boundaries; on thick
predictions this F is higher than the benchmark's (several predicted
pixels may share one ground-truth pixel). Per threshold, counts are summed
over the whole set and F = max over thresholds of 2PR / (P + R).
"""
import math
from typing import Dict, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor


def disk_offsets(radius: float) -> list:
    """(dy, dx) of the pixels of a disk of ``radius`` around the origin."""
    r = int(math.floor(radius))
    return [(dy, dx) for dy in range(-r, r + 1) for dx in range(-r, r + 1)
            if dy * dy + dx * dx <= radius * radius]


def disk_max(values: Tensor, radius: float) -> Tensor:
    """Maximum of ``values`` (N, H, W) over a disk around each pixel."""
    r = int(math.floor(radius))
    padded = F.pad(values[:, None], (r, r, r, r), value=float('-inf'))[:, 0]
    height, width = values.shape[-2:]
    out = values.clone()
    for dy, dx in disk_offsets(radius):
        out = torch.maximum(
            out, padded[:, r + dy:r + dy + height, r + dx:r + dx + width])
    return out


def counts_at_least(values: Tensor, thresholds: Tensor) -> Tensor:
    """How many of ``values`` (1-D) are >= each threshold, shape (T,)."""
    ordered = torch.sort(values.flatten()).values
    below = torch.searchsorted(ordered, thresholds, right=False)
    return (ordered.numel() - below).double()


def boundary_stats(prob: Tensor, gt: Tensor, valid: Tensor,
                   thresholds: Sequence[float],
                   tolerance: float) -> Dict[str, Tensor]:
    """Summable boundary-matching counts of a batch.

    Args:
        prob (Tensor): Boundary probability (N, H, W).
        gt (Tensor): 0/1 boundary map (N, H, W).
        valid (Tensor): Bool (N, H, W), the scored pixels.
        thresholds (Sequence[float]): Probability thresholds.
        tolerance (float): Matching distance as a fraction of the image
            diagonal (0.0075 for PASCAL-Context in the literature).

    Returns:
        dict[str, Tensor]: ``pred`` (predicted boundary pixels),
        ``pred_matched`` (of them, near a ground-truth boundary),
        ``gt_matched`` (ground-truth pixels near a prediction), each (T,),
        and ``gt`` (ground-truth boundary pixels, scalar).
    """
    thresholds = torch.as_tensor(thresholds, dtype=torch.float32)
    height, width = prob.shape[-2:]
    radius = tolerance * math.hypot(height, width)
    prob = torch.where(valid, prob.float(), torch.zeros_like(prob.float()))
    edge = (gt == 1) & valid
    near_gt = disk_max(edge.float(), radius) > 0
    best_near = disk_max(prob, radius)
    return dict(
        pred=counts_at_least(prob[valid], thresholds),
        pred_matched=counts_at_least(prob[valid & near_gt], thresholds),
        gt_matched=counts_at_least(best_near[edge], thresholds),
        gt=edge.sum().double())


def ods_f(stats: Dict[str, Tensor]) -> float:
    """ODS F-measure (in %) from summed :func:`boundary_stats`."""
    precision = stats['pred_matched'] / stats['pred'].clamp(min=1)
    recall = stats['gt_matched'] / stats['gt'].clamp(min=1)
    f = 2 * precision * recall / (precision + recall).clamp(min=1e-12)
    return float(f.max()) * 100


def saliency_stats(prob: Tensor, gt: Tensor, valid: Tensor,
                   thresholds: Sequence[float]) -> Dict[str, Tensor]:
    """Per-image IoU, precision and recall at each threshold, summed over
    the images of a batch (the saliency literature averages per image).

    Returns:
        dict[str, Tensor]: ``iou``, ``precision``, ``recall`` (T,) sums and
        ``images`` (scalar).
    """
    thresholds = torch.as_tensor(thresholds, dtype=torch.float32)
    pred = (prob.float()[:, None] >= thresholds[None, :, None, None])
    target = ((gt == 1) & valid)[:, None]
    pred = pred & valid[:, None]
    tp = (pred & target).flatten(2).sum(-1).double()
    predicted = pred.flatten(2).sum(-1).double()
    actual = target.flatten(2).sum(-1).double()
    union = predicted + actual - tp
    # an empty prediction of an empty map is right
    iou = torch.where(union > 0, tp / union.clamp(min=1), 1.0)
    return dict(
        iou=iou.sum(0),
        precision=(tp / predicted.clamp(min=1)).sum(0),
        recall=(tp / actual.clamp(min=1)).sum(0),
        images=torch.tensor(float(prob.shape[0]), dtype=torch.float64))


def saliency_metrics(stats: Dict[str, Tensor],
                     beta_sq: float = 0.3) -> Dict[str, float]:
    """``maxF`` (F-beta, beta^2 = 0.3, of the per-image mean precision and
    recall) and ``max_mIoU``, the best over thresholds, in %."""
    images = stats['images'].clamp(min=1)
    precision = stats['precision'] / images
    recall = stats['recall'] / images
    f = (1 + beta_sq) * precision * recall / (beta_sq * precision +
                                              recall).clamp(min=1e-12)
    return dict(maxF=float(f.max()) * 100,
                max_mIoU=float((stats['iou'] / images).max()) * 100)
