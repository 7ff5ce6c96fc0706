"""Boundaries, saliency, human parts and general dense regression: their
metrics by hand, and every method on them."""
import copy
import math

import pytest
import torch

from mmhad.evaluation.binary_metrics import disk_offsets
from mmhad.structures import MultiTaskDataSample
from mmhad.tasks import (DenseRegressionTask, EdgeTask, HumanPartsTask,
                         SaliencyTask)
from tests.conftest import tiny_model
from tests.test_components.test_components import METHODS


def test_balanced_bce_weights_the_few_positives():
    task = EdgeTask('edge', pos_weight=0.95)
    prob = torch.tensor([[[[0.8, 0.3]]]])
    gt = torch.tensor([[[1.0, 0.0]]])
    expected = [-0.95 * math.log(0.8), -0.05 * math.log(0.7)]
    assert task.pixel_loss(prob, gt)[0, 0].tolist() == pytest.approx(
        expected, rel=1e-5)
    # without pos_weight: the fraction of negatives (1 of 2 here)
    saliency = SaliencyTask('sal')
    assert saliency.pixel_loss(prob, gt)[0, 0].tolist() == pytest.approx(
        [-0.5 * math.log(0.8), -0.5 * math.log(0.7)], rel=1e-5)


def test_ods_f_by_hand():
    # 20 x 21 image: diagonal 29, tolerance 0.05 -> radius 1.45: the 3x3
    # square (its corners are 1.41 away)
    assert sorted(disk_offsets(1.45)) == sorted([(0, 0), (1, 0), (-1, 0),
                                                 (0, 1), (0, -1), (1, 1),
                                                 (1, -1), (-1, 1), (-1, -1)])
    gt = torch.zeros(1, 20, 21)
    gt[0, 10, 2:12] = 1  # a boundary of 10 pixels
    prob = torch.zeros(1, 1, 20, 21)
    prob[0, 0, 11, 2:7] = 0.9  # 5 near it (one row off)
    prob[0, 0, 3, 15:18] = 0.6  # 3 far from it
    task = EdgeTask('edge', match_tolerance=0.05, num_thresholds=9)
    metrics = task.compute_metrics(task.metric_stats(prob, gt))
    # thresholds 0.7-0.9: P = 5/5; boundary columns 2..7 have a prediction
    # within reach (column 7 diagonally) -> R = 6/10
    # thresholds <= 0.6: P = 5/8, R = 6/10: a lower F
    f_high = 2 * 1 * 0.6 / 1.6
    assert metrics['odsF'] == pytest.approx(f_high * 100, rel=1e-6)
    loss = task.pixel_loss(prob, gt).mean()
    assert metrics['loss'] == pytest.approx(float(loss), rel=1e-5)


def test_saliency_max_f_and_max_iou_by_hand():
    task = SaliencyTask('sal')
    gt = torch.zeros(2, 1, 4)
    gt[0, 0, :2] = 1
    gt[1, 0, 0] = 1
    prob = torch.tensor([[[[0.95, 0.5, 0.5, 0.1]]], [[[0.95, 0.1, 0.1, 0.1]]]])
    metrics = task.compute_metrics(task.metric_stats(prob, gt))
    # at t in (0.5, 0.9]: image 1 predicts {0}: P 1, R 1/2, IoU 1/2;
    # image 2 predicts {0}: P 1, R 1, IoU 1 -> mIoU 3/4, P 1, R 3/4
    # at t <= 0.5: image 1 predicts {0,1,2}: P 2/3, R 1, IoU 2/3;
    # image 2 as before -> mIoU 5/6, P 5/6, R 1
    f_high = 1.3 * 1 * 0.75 / (0.3 * 1 + 0.75)
    f_low = 1.3 * (5 / 6) * 1 / (0.3 * 5 / 6 + 1)
    assert metrics['maxF'] == pytest.approx(max(f_high, f_low) * 100)
    assert metrics['max_mIoU'] == pytest.approx(5 / 6 * 100)


def test_human_parts_ignore_images_without_people():
    task = HumanPartsTask('parts')
    gt = torch.tensor([[[0., 0.], [0., 0.]], [[0., 3.], [255., 0.]]])
    task.ignore_index = 255
    assert task.valid_mask(gt).tolist() == [[[False, False], [False, False]],
                                            [[True, True], [False, True]]]
    pred = torch.tensor([[[1, 1], [1, 1]], [[0, 3], [0, 0]]])
    stats = task.metric_stats(pred, gt)
    # only image 2 is scored: all 3 labelled pixels right
    assert task.compute_metrics(stats)['pixAcc'] == pytest.approx(100)


def test_dense_regression_normalises_and_masks_stored_values():
    task = DenseRegressionTask(
        'curvature', channels=2, invalid_value=65535, scale=1000., shift=100.)
    gt = torch.tensor([[[[1100., 65535.]], [[2100., 600.]]]])  # (1,2,1,2)
    pred = torch.tensor([[[[1.5, 9.]], [[2., 0.]]]])
    assert task.valid_mask(gt).tolist() == [[[True, False]]]
    # valid pixel: normalised gt (1, 2); errors 0.5 and 0 -> mean 0.25
    assert float(task.loss(pred, gt)) == pytest.approx(0.25)
    metrics = task.compute_metrics(task.metric_stats(pred, gt))
    assert metrics['abs_err'] == pytest.approx(0.25)
    ranged = DenseRegressionTask('depth_euclidean', valid_range=(1, 5000))
    assert ranged.valid_mask(torch.tensor([[[[0., 3., 6000.]]]])).tolist() \
        == [[[False, True, False]]]


NEW_TASKS = dict(
    edge=dict(type='EdgeTask'),
    sal=dict(type='SaliencyTask'),
    human_parts=dict(type='HumanPartsTask', ignore_index=255),
    keypoints=dict(
        type='DenseRegressionTask',
        channels=1,
        invalid_value=65535,
        scale=65535.))
PHASES = [['edge'], ['sal'], ['human_parts'], ['keypoints']]


def new_kind_batch(tasks, num=2, height=32, width=40):
    generator = torch.Generator().manual_seed(0)
    inputs = torch.rand(num, 3, height, width, generator=generator)
    samples = []
    for i in range(num):
        sample = MultiTaskDataSample()
        edge = torch.zeros(height, width)
        edge[:, 10 + i] = 1
        values = dict(
            edge=edge,
            sal=(torch.rand(height, width, generator=generator) > 0.6).float(),
            # the second image has no people: ignored by the parts loss
            human_parts=torch.randint(
                0, 7, (height, width), generator=generator).float() * (i == 0),
            keypoints=torch.randint(
                0, 65536, (1, height, width), generator=generator).float())
        for name in tasks:
            sample.set_field(values[name], f'gt_{name}')
        samples.append(sample)
    return inputs, samples


@pytest.mark.parametrize('name', list(METHODS))
def test_every_method_on_the_new_kinds(name):
    method = copy.deepcopy(METHODS[name])
    for settings in [method, *method.get('components', {}).values()]:
        if 'memory_size' in settings:  # 4 phases: keep 2 images of each
            settings['memory_size'] = 8
    model = tiny_model(tasks=NEW_TASKS, **method)
    for phase, tasks in enumerate(PHASES, 1):
        if phase > 1:
            previous = PHASES[phase - 2]
            inputs, samples = new_kind_batch(previous)
            model.end_phase([dict(inputs=list(inputs), data_samples=samples)])
        losses = train_phase(model, phase, tasks)
        extra = {
            k: float(v.detach())
            for k, v in losses.items() if not k.startswith('new.')
        }
        assert all(math.isfinite(float(v.detach())) for v in losses.values())
        if phase == 1:
            assert extra == {}, extra
        else:
            assert extra and all(
                math.isfinite(v) and v != 0
                for v in extra.values()), (phase, extra)
    model.zero_grad()
    losses = model.loss(*new_kind_batch(['keypoints']))
    sum(v for k, v in losses.items() if not k.startswith('new.')).backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0
               for p in model.architecture.backbone.parameters())


def train_phase(model, phase, tasks):
    """Begin ``phase`` and train it two Adam steps on the new kinds;
    the last step's losses."""
    model.begin_phase(phase, tasks)
    optimizer = torch.optim.Adam(
        [p for p in model.parameters() if p.requires_grad], lr=1e-2)
    model.train()
    for _ in range(2):
        losses = model.loss(*new_kind_batch(tasks))
        optimizer.zero_grad()
        sum(losses.values()).backward()
        optimizer.step()
    return losses


def train_new_kind_phases(model):
    """Every phase of ``PHASES``, each but the last ended."""
    for phase, tasks in enumerate(PHASES, 1):
        if phase > 1:
            inputs, samples = new_kind_batch(PHASES[phase - 2])
            model.end_phase([dict(inputs=list(inputs), data_samples=samples)])
        train_phase(model, phase, tasks)


@pytest.mark.parametrize('name', ['SPG', 'SGP'])
def test_step_filters_act_on_the_steps_of_every_new_kind(name):
    """SPG and SGP add no loss term: they reshape each optimizer step. On
    the new kinds (binary maps, parts, N-channel regression) the step a
    backbone weight takes is the filter of the plain SGD step."""
    model = tiny_model(type=name, tasks=NEW_TASKS)
    train_new_kind_phases(model)
    component, = model.components.values()
    filtered = component.filtered_names()
    key = 'backbone.layer4.0.conv1.weight'
    assert key in filtered
    weight = model.architecture.backbone.layer4[0].conv1.weight
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    before = weight.detach().clone()
    optimizer.zero_grad()
    sum(model.loss(*new_kind_batch(PHASES[-1])).values()).backward()
    plain = -weight.grad.detach().clone()
    optimizer.step()
    step = weight.detach() - before
    assert torch.allclose(step, component.filter_step(key, plain), atol=1e-6)
    assert not torch.allclose(step, plain, atol=1e-6)  # it did act


def test_piggyback_keeps_every_new_kind_s_predictions():
    model = tiny_model(type='Piggyback', tasks=NEW_TASKS)
    inputs, _ = new_kind_batch(['edge'])
    learnt = {}
    for phase, tasks in enumerate(PHASES, 1):
        train_phase(model, phase, tasks)
        model.eval()
        with torch.no_grad():
            outputs = model.predict_tasks(inputs)
        for name, value in learnt.items():  # bit for bit
            assert torch.equal(outputs[name], value), (phase, name)
        learnt.update({name: outputs[name] for name in tasks})
    assert list(learnt) == [t for tasks in PHASES for t in tasks]
