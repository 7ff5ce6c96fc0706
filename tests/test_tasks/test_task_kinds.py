import pytest
import torch

from mmhad.registry import DENSE_TASKS


def build(cfg, name):
    return DENSE_TASKS.build(cfg, default_args=dict(name=name))


def test_semantic_loss_is_cross_entropy_over_labelled_pixels():
    task = build(dict(type='SemanticTask', num_classes=3), 'semantic')
    logits = torch.randn(2, 3, 4, 5)
    gt = torch.randint(0, 3, (2, 4, 5))
    gt[0, 0, :] = -1
    pred = task.activate(logits)
    expected = torch.nn.functional.cross_entropy(logits, gt, ignore_index=-1)
    assert task.loss(pred, gt.float()).item() == pytest.approx(
        expected.item(), rel=1e-5)
    assert task.out_channels == 3
    assert torch.equal(task.pseudo_label(pred), logits.argmax(1))


def test_depth_loss_ignores_zero_depth():
    task = build(dict(type='DepthTask'), 'depth')
    pred = torch.tensor([[[[1.0, 2.0], [3.0, 5.0]]]])
    gt = torch.tensor([[[[2.0, 0.0], [3.0, 1.0]]]])
    # valid: |1-2|, |3-3|, |5-1| -> (1 + 0 + 4) / 3
    assert task.loss(pred, gt).item() == pytest.approx(5 / 3)


def test_normal_loss_is_one_minus_cosine_over_valid_pixels():
    task = build(dict(type='NormalTask'), 'normal')
    pred = task.activate(torch.tensor([[[[2.0, 0.0]], [[0.0, 0.0]],
                                        [[0.0, 3.0]]]]))
    gt = torch.tensor([[[[1.0, 0.0]], [[0.0, 0.0]], [[0.0, 0.0]]]])
    # pixel 0 agrees (loss 0); pixel 1 has no ground truth
    assert task.loss(pred, gt).item() == pytest.approx(0.0, abs=1e-6)
    gt[0, :, 0, 1] = torch.tensor([1.0, 0.0, 0.0])  # orthogonal: loss 1
    assert task.loss(pred, gt).item() == pytest.approx(0.5, abs=1e-6)
    assert torch.allclose(pred.norm(dim=1), torch.ones(1, 1, 2))


def test_loss_with_no_valid_pixel_is_zero_not_nan():
    task = build(dict(type='DepthTask'), 'depth')
    pred = torch.rand(1, 1, 3, 3, requires_grad=True)
    loss = task.loss(pred, torch.zeros(1, 1, 3, 3))
    loss.backward()
    assert loss.item() == 0 and torch.isfinite(pred.grad).all()


def test_metric_directions_are_declared_for_every_metric():
    for cfg, name in [(dict(type='SemanticTask', num_classes=2), 's'),
                      (dict(type='DepthTask'), 'd'),
                      (dict(type='NormalTask'), 'n')]:
        task = build(cfg, name)
        assert set(task.METRICS.values()) <= {'higher', 'lower'}


def test_semantic_task_needs_two_classes():
    with pytest.raises(ValueError, match='num_classes'):
        build(dict(type='SemanticTask', num_classes=1), 'semantic')


def test_normal_task_reference_validity_and_dot_product():
    ref = DENSE_TASKS.build(
        dict(type='NormalTask', name='normal', valid_rule='sum_nonzero',
             similarity='dot'))
    ours = DENSE_TASKS.build(dict(type='NormalTask', name='normal'))
    # (1, -1, 0) / sqrt2 sums to 0: invalid for the reference only;
    # (0, 0, 2) is not unit length: the dot product is 2, the cosine 1
    gt = torch.tensor([[0.7071, -0.7071, 0.], [0., 0., 2.]]).t()
    gt = gt.reshape(1, 3, 1, 2)
    pred = torch.tensor([[0., 0., 1.], [0., 0., 1.]]).t().reshape(1, 3, 1, 2)
    assert ref.valid_mask(gt).tolist() == [[[False, True]]]
    assert ours.valid_mask(gt).tolist() == [[[True, True]]]
    assert ref.pixel_loss(pred, gt)[0, 0, 1].item() == pytest.approx(-1.0)
    assert ours.pixel_loss(pred, gt)[0, 0, 1].item() == pytest.approx(0.0)
    with pytest.raises(ValueError, match='valid_rule'):
        DENSE_TASKS.build(dict(type='NormalTask', name='n', valid_rule='x'))
