"""DenseTaskMetric: whole-set pooling versus per-image averaging."""
import pytest
import torch

from mmhad.evaluation import DenseTaskMetric

TASKS = dict(
    semantic=dict(type='SemanticTask', num_classes=2, ignore_index=-1),
    depth=dict(type='DepthTask', extended_metrics=True))


def samples():
    # image 1: 3 valid depth pixels, error 1 each; image 2: 1 valid, error 5
    depth_gt = [
        torch.tensor([[[2.0, 2.0], [2.0, 0.0]]]),
        torch.tensor([[[0.0, 0.0], [0.0, 10.0]]]),
    ]
    depth_pred = [
        torch.tensor([[[3.0, 3.0], [3.0, 9.0]]]),
        torch.tensor([[[1.0, 1.0], [1.0, 5.0]]]),
    ]
    # image 1 all right; image 2: one wrong, one ignored
    sem_gt = [
        torch.tensor([[0, 1], [1, 0]]),
        torch.tensor([[0, 0], [-1, 1]]),
    ]
    sem_pred = [
        torch.tensor([[0, 1], [1, 0]]),
        torch.tensor([[0, 1], [1, 1]]),
    ]
    # the fields a packed data sample carries (task.pred_key / task.gt_key)
    return [
        dict(pred_depth=dp, gt_depth=dg, pred_semantic=sp, gt_semantic=sg)
        for dp, dg, sp, sg in zip(depth_pred, depth_gt, sem_pred, sem_gt)
    ]


def scoring(tasks, average):
    """The metric as the evaluator hands it the dataset's meta."""
    metric = DenseTaskMetric(average=average)
    metric.dataset_meta = dict(tasks=tasks)
    return metric


def evaluate(average):
    metric = scoring(TASKS, average)
    metric.process({}, samples())
    return metric.compute_metrics(metric.results)


def test_pixel_average_pools_the_whole_set():
    m = evaluate('pixel')
    assert m['depth/abs_err'] == pytest.approx((1 + 1 + 1 + 5) / 4)
    assert m['depth/rmse'] == pytest.approx(((3 + 25) / 4)**0.5)
    # 7 scored pixels, 6 right; class 0: I=3, U=4; class 1: I=3, U=4
    assert m['semantic/pixAcc'] == pytest.approx(600 / 7)
    assert m['semantic/mIoU'] == pytest.approx((3 / 4 + 3 / 4) / 2 * 100)


def test_image_average_weights_images_equally():
    m = evaluate('image')
    assert m['depth/abs_err'] == pytest.approx((1 + 5) / 2)
    # image 2: 2 of 3 scored right; class 0 IoU 1/2, class 1 IoU 1/2
    assert m['semantic/pixAcc'] == pytest.approx((100 + 200 / 3) / 2)
    assert m['semantic/mIoU'] == pytest.approx((100 + 50) / 2)


def test_unknown_average_is_refused():
    with pytest.raises(ValueError, match="average='mean'"):
        DenseTaskMetric(average='mean')


def test_batch_average_as_the_reference_evaluation():
    """Two batches: [image 1, image 2] and [image 2]; depth and normals are
    scored per batch and averaged over batches (the lone last batch weighs
    as much as the full one), segmentation pools the set."""
    tasks = dict(TASKS, normal=dict(type='NormalTask',
                                    valid_rule='sum_nonzero',
                                    similarity='dot'))
    metric = scoring(tasks, 'batch')
    up, tilted = torch.tensor([0., 0., 1.]), torch.tensor([0., 0.6, 0.8])
    # batch 1: angles 0, 0, 0, 36.87 deg (and one gt summing to 0: dropped)
    pred1 = torch.stack([up, up, up, tilted, up], 1).view(3, 1, 5)
    gt1 = torch.stack([up, up, up, up, torch.tensor([1., -1., 0.])],
                      1).view(3, 1, 5)
    # batch 2: angles 36.87 and 36.87
    pred2 = torch.stack([tilted, tilted], 1).view(3, 1, 2)
    gt2 = torch.stack([up, up], 1).view(3, 1, 2)
    first, second = samples()
    batch1 = [dict(first, pred_normal=pred1, gt_normal=gt1),
              dict(second, pred_normal=pred1, gt_normal=gt1)]
    batch2 = [dict(second, pred_normal=pred2, gt_normal=gt2)]
    metric.process({}, batch1)
    metric.process({}, batch2)
    m = metric.compute_metrics(metric.results)
    # depth: batch 1 pools errors 1, 1, 1 (image 1) and 5 (image 2)
    assert m['depth/abs_err'] == pytest.approx(((3 + 5) / 4 + 5) / 2)
    angle = 36.8699
    # batch 1: 8 angles (two images), 6 of 0 deg and 2 of 36.87 deg; the
    # lower median is 0. batch 2: 2 angles of 36.87 deg.
    assert m['normal/mean_angle'] == pytest.approx(
        (2 * angle / 8 + angle) / 2, rel=1e-4)
    assert m['normal/median_angle'] == pytest.approx(angle / 2, rel=1e-4)
    assert m['normal/within_11.25'] == pytest.approx((75 + 0) / 2)
    # segmentation: one confusion matrix over images 1, 2 and 2 again
    assert m['semantic/pixAcc'] == pytest.approx(100 * 8 / 10)
