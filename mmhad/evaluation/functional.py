"""Per-task metric math, written as summable statistics.

Every metric here is computed in two steps so that it can be accumulated over
a whole validation set (and across processes) without keeping predictions:

1. ``*_stats(pred, gt)`` returns a dict of tensors whose element-wise **sum**
   over batches equals the statistics of the whole set;
2. ``*_metrics(stats)`` turns the summed statistics into metric values.

Segmentation is computed from a confusion matrix accumulated over the whole
set (not averaged per image), as in the HAD reference evaluation. Depth and
normal errors are averaged over every valid pixel of the set, so images with
many valid pixels weigh more. The reference evaluation does *not* do that:
it averages per validation batch (``DenseTaskMetric(average='batch')``);
``average='image'`` averages per-image values (mmseg's ``DepthMetric``).
"""
import math
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


#: mmseg's ``DepthMetric`` set, each with its direction.
EXTENDED_DEPTH_METRICS = {
    'd1': 'higher',
    'd2': 'higher',
    'd3': 'higher',
    'abs_rel': 'lower',
    'sq_rel': 'lower',
    'rmse': 'lower',
    'rmse_log': 'lower',
    'log10': 'lower',
    'silog': 'lower',
}
#: Predictions are clamped to this before logarithms and ratios: a raw depth
#: head can output values <= 0, where mmseg's formulas give NaN.
MIN_PRED_DEPTH = 1e-3


def depth_error_stats(pred: Tensor,
                      gt: Tensor,
                      extended: bool = False) -> Dict[str, Tensor]:
    """Summed depth errors over valid pixels.

    Args:
        pred (Tensor): Predicted depth, shape (N, 1, H, W).
        gt (Tensor): Ground-truth depth of the same shape; 0 = invalid.
        extended (bool): Also sum the terms of mmseg's ``DepthMetric`` set
            (:data:`EXTENDED_DEPTH_METRICS`).

    Returns:
        dict[str, Tensor]: ``abs_sum``, ``rel_sum`` and ``count`` (scalars),
        plus ``d<k>_count``, ``sq_rel_sum``, ``sq_sum``, ``sq_log_sum``,
        ``log_sum`` and ``abs_log10_sum`` when ``extended``.
    """
    valid = gt != 0
    target = gt.float()[valid]
    estimate = pred.float()[valid]
    diff = estimate - target
    stats = dict(
        abs_sum=diff.abs().double().sum().cpu(),
        rel_sum=(diff.abs() / target.abs()).double().sum().cpu(),
        count=valid.sum().double().cpu())
    if extended:
        positive = estimate.clamp(min=MIN_PRED_DEPTH).double()
        target = target.double()
        ratio = torch.maximum(positive / target, target / positive)
        log_diff = torch.log(positive) - torch.log(target)
        for k in (1, 2, 3):
            stats[f'd{k}_count'] = (ratio < 1.25**k).sum().double().cpu()
        stats.update(
            sq_rel_sum=(diff.double()**2 / target).sum().cpu(),
            sq_sum=(diff.double()**2).sum().cpu(),
            sq_log_sum=(log_diff**2).sum().cpu(),
            log_sum=log_diff.sum().cpu(),
            abs_log10_sum=(log_diff.abs() / math.log(10)).sum().cpu())
    return stats


def depth_error_metrics(stats: Dict[str, Tensor]) -> Dict[str, float]:
    """Depth errors averaged over all valid pixels of the summed stats.

    ``abs_err`` and ``rel_err`` always; the :data:`EXTENDED_DEPTH_METRICS`
    too when the stats were summed with ``extended=True`` (d1-d3 in
    percent, ``silog = sqrt(mean(g^2) - 0.5 mean(g)^2)`` with
    ``g = log(pred) - log(gt)``, as in mmseg).
    """
    extended = 'sq_sum' in stats
    names = ['abs_err', 'rel_err'] + (list(EXTENDED_DEPTH_METRICS)
                                      if extended else [])
    count = float(stats['count'])
    if count == 0:
        return {name: float('nan') for name in names}
    metrics = dict(
        abs_err=float(stats['abs_sum']) / count,
        rel_err=float(stats['rel_sum']) / count)
    if extended:
        mean = {k: float(v) / count for k, v in stats.items()}
        metrics.update({f'd{k}': mean[f'd{k}_count'] * 100 for k in (1, 2, 3)})
        metrics.update(
            abs_rel=metrics['rel_err'],
            sq_rel=mean['sq_rel_sum'],
            rmse=math.sqrt(mean['sq_sum']),
            rmse_log=math.sqrt(mean['sq_log_sum']),
            log10=mean['abs_log10_sum'],
            silog=math.sqrt(
                max(mean['sq_log_sum'] - 0.5 * mean['log_sum']**2, 0.0)))
    return metrics


#: How a ground-truth normal is judged valid: ``'nonzero'``, not all of its
#: components are 0; ``'sum_nonzero'``, its components do not sum to 0 (the
#: HAD reference code, which also drops valid normals such as
#: (1, -1, 0)/sqrt2).
NORMAL_VALID_RULES = ('nonzero', 'sum_nonzero')
#: How the angle between prediction and ground truth is measured:
#: ``'cosine'`` normalises both; ``'dot'`` takes acos of the raw dot product
#: (the reference code; the prediction is unit length, the ground truth is
#: used as stored).
NORMAL_SIMILARITIES = ('cosine', 'dot')


def normal_valid_mask(normal: Tensor, rule: str = 'nonzero') -> Tensor:
    """Valid pixels (N, H, W) of a normal map (N, 3, H, W), see
    :data:`NORMAL_VALID_RULES`."""
    if rule == 'sum_nonzero':
        return normal.sum(dim=1) != 0
    return normal.abs().sum(dim=1) > 0


def normal_similarity(pred: Tensor, gt: Tensor,
                      similarity: str = 'cosine') -> Tensor:
    """Per-pixel cosine (N, H, W) of two normal maps (N, 3, H, W), see
    :data:`NORMAL_SIMILARITIES`."""
    if similarity == 'dot':
        return (pred.float() * gt.float()).sum(dim=1)
    return torch.nn.functional.cosine_similarity(
        pred.float(), gt.float(), dim=1, eps=1e-12)


def normal_angles(pred: Tensor,
                  gt: Tensor,
                  valid_rule: str = 'nonzero',
                  similarity: str = 'cosine') -> Tensor:
    """Angular errors in degrees (float64) of the valid pixels, flattened."""
    valid = normal_valid_mask(gt, valid_rule)
    cos = normal_similarity(pred, gt, similarity)[valid]
    return torch.rad2deg(torch.acos(cos.clamp(-1, 1))).double()


def normal_angle_stats(pred: Tensor,
                       gt: Tensor,
                       valid_rule: str = 'nonzero',
                       similarity: str = 'cosine') -> Dict[str, Tensor]:
    """Angular-error statistics of predicted normals over valid pixels.

    Args:
        pred (Tensor): Predicted normals, shape (N, 3, H, W).
        gt (Tensor): Ground-truth normals of the same shape.
        valid_rule (str): Which ground-truth normals count, see
            :data:`NORMAL_VALID_RULES`.
        similarity (str): See :data:`NORMAL_SIMILARITIES`.

    Returns:
        dict[str, Tensor]: ``angle_sum``, ``count``, ``within_<t>`` counts and
        ``hist``, a histogram of the angles with bins of
        :data:`ANGLE_BIN_DEG` degrees (for the median).
    """
    angle = normal_angles(pred, gt, valid_rule, similarity)
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


def normal_batch_metrics(angle: Tensor) -> Dict[str, float]:
    """Normal metrics of one batch's angles (degrees), computed as the HAD
    reference does per batch: the mean, ``torch.median`` (the lower of the
    two middle values) and the within-threshold fractions (in percent)."""
    if angle.numel() == 0:
        return normal_angle_metrics(dict(count=torch.tensor(0.)))
    metrics = dict(
        mean_angle=float(angle.mean()), median_angle=float(angle.median()))
    for t in ANGLE_THRESHOLDS:
        metrics[f'within_{t:g}'] = float((angle < t).double().mean()) * 100
    return metrics
