import math

import pytest
import torch

from mmhad.evaluation.functional import (depth_error_metrics,
                                         depth_error_stats,
                                         normal_angle_metrics,
                                         normal_angle_stats,
                                         segmentation_metrics,
                                         segmentation_stats)


def test_segmentation_from_an_accumulated_confusion_matrix():
    pred = torch.tensor([[0, 0, 1, 1], [2, 2, 2, 0]])
    gt = torch.tensor([[0, 1, 1, 1], [2, 2, -1, 0]])
    stats = segmentation_stats(pred, gt, num_classes=3, ignore_index=-1)
    metrics = segmentation_metrics(stats)
    # class 0: pred {0,1,7} gt {0,7} -> I 2, U 3; class 1: pred {2,3}
    # gt {1,2,3} -> I 2, U 3; class 2: pred {4,5} (6 ignored) gt {4,5} -> 1
    assert metrics['mIoU'] == pytest.approx((2 / 3 + 2 / 3 + 1) / 3 * 100)
    assert metrics['pixAcc'] == pytest.approx(6 / 7 * 100)


def test_segmentation_sums_over_batches_not_per_image_means():
    a = segmentation_stats(torch.tensor([[0, 0]]), torch.tensor([[0, 0]]), 2,
                           -1)
    b = segmentation_stats(torch.tensor([[0, 0]]), torch.tensor([[1, 1]]), 2,
                           -1)
    total = {k: a[k] + b[k] for k in a}
    metrics = segmentation_metrics(total)
    # class 0: I 2, U 4; class 1: I 0, U 2 -> mIoU 25 %; per-image mean
    # would be (100 + 0) / 2 = 50 %
    assert metrics['mIoU'] == pytest.approx(25.0)
    assert metrics['pixAcc'] == pytest.approx(50.0)


def test_segmentation_rejects_labels_outside_the_classes():
    with pytest.raises(ValueError, match=r'\[0, 3\)'):
        segmentation_stats(torch.tensor([[0]]), torch.tensor([[5]]), 3, -1)


def test_depth_errors_over_valid_pixels_of_the_whole_set():
    pred = torch.tensor([[[[1.0, 2.0], [4.0, 9.0]]]])
    gt = torch.tensor([[[[2.0, 0.0], [4.0, 3.0]]]])
    metrics = depth_error_metrics(depth_error_stats(pred, gt))
    assert metrics['abs_err'] == pytest.approx((1 + 0 + 6) / 3)
    assert metrics['rel_err'] == pytest.approx((0.5 + 0 + 2) / 3)
    empty = depth_error_metrics(depth_error_stats(pred, torch.zeros_like(gt)))
    assert math.isnan(empty['abs_err'])


def _unit(deg):
    rad = math.radians(deg)
    return [math.cos(rad), math.sin(rad), 0.0]


def test_normal_angles_mean_median_and_thresholds():
    angles = [0.0, 10.0, 20.0, 40.0, 50.0]
    pred = torch.tensor([_unit(a) for a in angles] +
                        [[1.0, 0.0, 0.0]]).t().reshape(1, 3, 1, 6)
    gt = torch.tensor([[1.0, 0.0, 0.0]] * 5 + [[0.0, 0.0, 0.0]]).t()
    gt = gt.reshape(1, 3, 1, 6)  # last pixel invalid
    metrics = normal_angle_metrics(normal_angle_stats(pred, gt))
    assert metrics['mean_angle'] == pytest.approx(24.0, abs=1e-3)
    # read from a histogram of 0.01-degree bins
    assert metrics['median_angle'] == pytest.approx(20.0, abs=0.02)
    assert metrics['within_11.25'] == pytest.approx(40.0)
    assert metrics['within_22.5'] == pytest.approx(60.0)
    assert metrics['within_30'] == pytest.approx(60.0)


def test_normal_median_matches_torch_median_on_random_angles():
    torch.manual_seed(0)
    pred = torch.randn(1, 3, 15, 15)  # an odd count: one middle value
    gt = torch.nn.functional.normalize(torch.randn(1, 3, 15, 15), dim=1)
    metrics = normal_angle_metrics(normal_angle_stats(pred, gt))
    cos = torch.nn.functional.cosine_similarity(pred, gt, dim=1).clamp(-1, 1)
    angles = torch.rad2deg(torch.acos(cos)).flatten().double()
    expected = torch.quantile(angles, 0.5).item()
    assert metrics['median_angle'] == pytest.approx(expected, abs=0.02)
    assert metrics['mean_angle'] == pytest.approx(angles.mean().item(),
                                                  rel=1e-5)


def test_extended_depth_metrics_match_mmseg_depth_metric_on_one_image():
    from mmseg.evaluation.metrics import DepthMetric
    torch.manual_seed(0)
    gt = torch.rand(1, 1, 6, 7) * 4 + 0.5
    gt[0, 0, :2] = 0  # invalid rows are not scored
    pred = gt * (1 + 0.3 * torch.randn_like(gt)).clamp(min=0.2)
    ours = depth_error_metrics(depth_error_stats(pred, gt, extended=True))
    valid = gt > 0
    ref = DepthMetric._calc_all_metrics(gt[valid].double(),
                                        pred[valid].double())
    for key in ('abs_rel', 'sq_rel', 'rmse', 'rmse_log', 'log10', 'silog'):
        assert ours[key] == pytest.approx(float(ref[key]), rel=1e-6), key
    for k in (1, 2, 3):
        assert ours[f'd{k}'] == pytest.approx(float(ref[f'd{k}']) * 100)
    assert ours['abs_rel'] == ours['rel_err']


def test_extended_depth_thresholds_by_hand():
    gt = torch.tensor([[[[1.0, 1.0, 1.0, 0.0]]]])
    pred = torch.tensor([[[[1.2, 1.5, 1.9, 7.0]]]])  # ratios 1.2, 1.5, 1.9
    metrics = depth_error_metrics(depth_error_stats(pred, gt, extended=True))
    assert metrics['d1'] == pytest.approx(100 / 3)  # < 1.25
    assert metrics['d2'] == pytest.approx(200 / 3)  # < 1.5625
    assert metrics['d3'] == pytest.approx(100.0)  # < 1.953...
    assert metrics['rmse'] == pytest.approx(
        math.sqrt((0.04 + 0.25 + 0.81) / 3))
    # a non-positive prediction is clamped, not NaN
    bad = depth_error_metrics(
        depth_error_stats(-pred, gt, extended=True))
    assert all(math.isfinite(v) for v in bad.values())
