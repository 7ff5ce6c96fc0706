"""Per-task metric math, written as summable statistics.

Every metric here is computed in two steps so that it can be accumulated over
a whole validation set (and across processes) without keeping predictions:

1. ``*_stats(pred, gt)`` returns a dict of tensors whose element-wise **sum**
   over batches equals the statistics of the whole set;
2. ``*_metrics(stats)`` turns the summed statistics into metric values.

Segmentation is computed from a confusion matrix accumulated over the whole
set (not averaged per image); depth and normal errors are averaged over every
valid pixel of the set.
"""
from typing import Dict

import torch
from mmseg.evaluation.metrics import IoUMetric
from torch import Tensor

#: Width of one bin of the angular-error histogram, in degrees. The median is
#: read from the histogram, so it is exact up to this resolution.
ANGLE_BIN_DEG = 0.01
#: Angular thresholds of the ``within_*`` normal metrics, in degrees.
ANGLE_THRESHOLDS = (11.25, 22.5, 30.0)


def segmentation_stats(pred_label: Tensor, label: Tensor, num_classes: int,
                       ignore_index: int) -> Dict[str, Tensor]:
    """Per-class areas of one batch, through mmseg's ``intersect_and_union``.

    Args:
        pred_label (Tensor): Predicted class ids, shape (N, H, W) or (H, W).
        label (Tensor): Ground-truth class ids of the same shape;
            ``ignore_index`` marks pixels that are not scored.
        num_classes (int): Number of classes C.
        ignore_index (int): Label value to ignore.

    Returns:
        dict[str, Tensor]: ``area_intersect``, ``area_union``,
        ``area_pred_label`` and ``area_label``, each of shape (C,).
    """
    label = label.long()
    pred_label = pred_label.long()
    # Labels outside [0, C) other than ignore_index would silently fall out of
    # the histogram and inflate pixel accuracy; refuse them instead.
    scored = label[label != ignore_index]
    if scored.numel() and (scored.min() < 0 or scored.max() >= num_classes):
        raise ValueError(
            f'segmentation label values must be in [0, {num_classes}) or '
            f'{ignore_index} (ignore); got values in '
            f'[{int(scored.min())}, {int(scored.max())}]')
    areas = IoUMetric.intersect_and_union(pred_label.flatten(),
                                          label.flatten(), num_classes,
                                          ignore_index)
    keys = ('area_intersect', 'area_union', 'area_pred_label', 'area_label')
    return {k: v.double().cpu() for k, v in zip(keys, areas)}


def segmentation_metrics(stats: Dict[str, Tensor]) -> Dict[str, float]:
    """mIoU and pixel accuracy (both in percent) from summed areas.

    Classes that appear neither in the predictions nor in the labels of the
    whole set (union 0) are left out of the mean, as in mmseg.
    """
    union = stats['area_union']
    iou = stats['area_intersect'] / union
    miou = torch.nanmean(torch.where(union > 0, iou, torch.nan))
    total = stats['area_label'].sum()
    pix_acc = stats['area_intersect'].sum() / total if total > 0 else \
        torch.tensor(float('nan'))
    return dict(mIoU=float(miou) * 100, pixAcc=float(pix_acc) * 100)


def depth_error_stats(pred: Tensor, gt: Tensor) -> Dict[str, Tensor]:
    """Summed absolute and relative depth errors over valid pixels.

    Args:
        pred (Tensor): Predicted depth, shape (N, 1, H, W).
        gt (Tensor): Ground-truth depth of the same shape; 0 = invalid.

    Returns:
        dict[str, Tensor]: ``abs_sum``, ``rel_sum`` and ``count`` (scalars).
    """
    valid = gt != 0
    diff = (pred.float() - gt.float()).abs()[valid]
    return dict(
        abs_sum=diff.double().sum().cpu(),
        rel_sum=(diff / gt.float()[valid].abs()).double().sum().cpu(),
        count=valid.sum().double().cpu())


def depth_error_metrics(stats: Dict[str, Tensor]) -> Dict[str, float]:
    """Mean absolute and relative depth error over all valid pixels."""
    count = float(stats['count'])
    if count == 0:
        return dict(abs_err=float('nan'), rel_err=float('nan'))
    return dict(
        abs_err=float(stats['abs_sum']) / count,
        rel_err=float(stats['rel_sum']) / count)


def normal_valid_mask(normal: Tensor) -> Tensor:
    """Valid pixels of a normal map (N, 3, H, W): not all components 0."""
    return normal.abs().sum(dim=1) > 0


def normal_angle_stats(pred: Tensor, gt: Tensor) -> Dict[str, Tensor]:
    """Angular-error statistics of predicted normals over valid pixels.

    Args:
        pred (Tensor): Predicted normals, shape (N, 3, H, W) (normalised here).
        gt (Tensor): Ground-truth normals of the same shape; all-zero vectors
            are invalid.

    Returns:
        dict[str, Tensor]: ``angle_sum``, ``count``, ``within_<t>`` counts and
        ``hist``, a histogram of the angles with bins of
        :data:`ANGLE_BIN_DEG` degrees (for the median).
    """
    valid = normal_valid_mask(gt)
    cos = torch.nn.functional.cosine_similarity(
        pred.float(), gt.float(), dim=1, eps=1e-12)[valid]
    angle = torch.rad2deg(torch.acos(cos.clamp(-1, 1))).double()
    num_bins = int(round(180 / ANGLE_BIN_DEG))
    bins = (angle / ANGLE_BIN_DEG).long().clamp(max=num_bins - 1)
    stats = dict(
        angle_sum=angle.sum().cpu(),
        count=torch.tensor(float(angle.numel()), dtype=torch.float64),
        hist=torch.bincount(bins, minlength=num_bins).double().cpu())
    for t in ANGLE_THRESHOLDS:
        stats[f'within_{t:g}'] = (angle < t).sum().double().cpu()
    return stats


def normal_angle_metrics(stats: Dict[str, Tensor]) -> Dict[str, float]:
    """Mean and median angle (degrees) and within-threshold percentages."""
    count = float(stats['count'])
    if count == 0:
        nan = float('nan')
        return dict(mean_angle=nan, median_angle=nan,
                    **{f'within_{t:g}': nan for t in ANGLE_THRESHOLDS})
    # Median: the bin where the cumulative count crosses half, interpolated
    # linearly inside that bin.
    hist = stats['hist']
    cum = torch.cumsum(hist, 0)
    half = count / 2
    idx = int(torch.searchsorted(cum, torch.tensor(half, dtype=cum.dtype)))
    before = float(cum[idx - 1]) if idx > 0 else 0.0
    frac = (half - before) / max(float(hist[idx]), 1.0)
    metrics = dict(
        mean_angle=float(stats['angle_sum']) / count,
        median_angle=(idx + frac) * ANGLE_BIN_DEG)
    for t in ANGLE_THRESHOLDS:
        metrics[f'within_{t:g}'] = float(stats[f'within_{t:g}']) / count * 100
    return metrics
