"""DKD-style adaptive weights of the old tasks' distillation terms."""
import copy
import math

import pytest
import torch

from mmhad.components.old_task_weighting import (AdaptiveOldTaskWeighting,
                                                 explained_variance,
                                                 linear_similarity, pixel_rows)
from tests.conftest import tiny_model
from tests.test_algorithms.test_lifelong_algorithm import (make_batch,
                                                           train_steps)

ADAPTIVE = dict(type='AdaptiveOldTaskWeighting', interval=1)


def maps(seed=0):
    """A new task's map (2, 3, 16, 16), an old map that is an invertible
    affine function of it (similar), and an unrelated one."""
    torch.manual_seed(seed)
    new = torch.randn(2, 3, 16, 16)
    mixing = torch.randn(3, 3)
    same = torch.einsum('nchw,cd->ndhw', new, mixing) + 5.0
    other = torch.randn(2, 1, 16, 16)
    return dict(normal=new, same=same, other=other)


def test_linear_similarity_is_one_for_affine_maps_and_small_for_unrelated():
    outputs = maps()
    rows = {k: pixel_rows(v, 1) for k, v in outputs.items()}
    assert rows['normal'].shape == (512, 3)
    assert float(linear_similarity(rows['normal'], rows['same'])) == \
        pytest.approx(1.0, abs=1e-5)
    assert float(linear_similarity(rows['normal'], 3 * rows['normal'])) == \
        pytest.approx(1.0, abs=1e-5)
    assert float(linear_similarity(rows['normal'], rows['other'])) < 0.05
    # one-way: depth explains a third of a normal map made of it and noise
    depth = rows['other']
    normal = torch.cat([depth, rows['normal'][:, :2]], dim=1)
    assert float(explained_variance(depth, normal)) == pytest.approx(
        float(depth.var() / normal.var(dim=0).sum()), abs=0.05)
    assert float(explained_variance(normal, depth)) == pytest.approx(1.0)


def test_similar_old_tasks_get_larger_weights():
    weighting = AdaptiveOldTaskWeighting(
        similarity_gain=1.0, interval=1, pixel_stride=1)
    weighting.begin_phase(3)
    weighting.observe(maps(), ['normal'], ['same', 'other'])
    sims = weighting.similarity
    assert sims['same'] == pytest.approx(1.0, abs=1e-5)
    assert sims['other'] < 0.05
    scales = weighting.scales(['same', 'other'], num_new=1)
    assert scales['same'] == pytest.approx(2 * math.sqrt(2), abs=1e-4)
    assert scales['other'] == pytest.approx(math.sqrt(2) * (1 + sims['other']))
    # gain -1: the similar task is not distilled at all, count factor only
    weighting.similarity_gain = -1.0
    assert weighting.scales(['same'], 1)['same'] == pytest.approx(0, abs=1e-4)
    assert 'same x' in weighting.describe(['same', 'other'], 1)


def test_similarity_is_a_moving_average_measured_every_interval():
    weighting = AdaptiveOldTaskWeighting(
        interval=2, momentum=0.5, pixel_stride=1)
    weighting.begin_phase(2)
    outputs = maps()
    weighting.observe(outputs, ['normal'], ['same'])  # step 1: measured
    assert weighting.similarity['same'] == pytest.approx(1.0, abs=1e-5)
    unrelated = dict(normal=outputs['normal'], same=outputs['other'])
    weighting.observe(unrelated, ['normal'], ['same'])  # step 2: skipped
    assert weighting.similarity['same'] == pytest.approx(1.0, abs=1e-5)
    weighting.observe(unrelated, ['normal'], ['same'])  # step 3: measured
    expected = 0.5 + 0.5 * float(
        linear_similarity(
            pixel_rows(outputs['normal'], 1), pixel_rows(outputs['other'], 1)))
    assert weighting.similarity['same'] == pytest.approx(expected)
    # the same phase again (a resume) keeps, a new phase forgets
    weighting.begin_phase(2)
    assert weighting.similarity['same'] == pytest.approx(expected)
    weighting.begin_phase(3)
    assert weighting.similarity == {} and weighting.step == 0


def test_adaptive_weights_scale_each_old_task_term():
    """Phase 3 of LwF: every old task's term is its uniform value times
    sqrt(n_old / n_new) * (1 + similarity); the weights reach the state
    dict, so a copy resumed from it weighs the same."""
    torch.manual_seed(0)
    uniform = tiny_model(type='LwF')
    for phase, tasks in enumerate((['semantic'], ['depth']), 1):
        uniform.begin_phase(phase, tasks)
        train_steps(uniform, tasks)
    adaptive = tiny_model(type='LwF', old_task_weighting=ADAPTIVE)
    for phase, tasks in enumerate((['semantic'], ['depth']), 1):
        adaptive.begin_phase(phase, tasks)
    adaptive.load_state_dict(uniform.state_dict(), strict=False)
    for model in (uniform, adaptive):
        torch.manual_seed(3)  # the same new head
        model.begin_phase(3, ['normal'])
        model.train()
    batch = make_batch(tasks=['normal'])
    torch.manual_seed(4)  # the same dropout
    plain = uniform.loss(*batch)
    torch.manual_seed(4)
    weighted = adaptive.loss(*batch)  # measures the similarities first
    sims = adaptive.weighting.similarity
    assert set(sims) == {'semantic', 'depth'}
    assert all(0 <= s <= 1 for s in sims.values())
    assert torch.equal(weighted['new.loss.normal'], plain['new.loss.normal'])
    for name in ('semantic', 'depth'):
        expected = math.sqrt(2) * (1 + sims[name])
        key = f'distill.loss_lwf.{name}'
        assert float(weighted[key]) == pytest.approx(
            expected * float(plain[key]), rel=1e-5)

    # a resume inside phase 3, as the loop does it: heads grown, the
    # checkpoint loaded, then the phase begun again with its teacher
    resumed = tiny_model(type='LwF', old_task_weighting=ADAPTIVE)
    for name in ('semantic', 'depth', 'normal'):
        resumed.add_task(name)
    resumed.load_state_dict(copy.deepcopy(adaptive.state_dict()))
    resumed.begin_phase(3, ['normal'], adaptive.teacher.state_dict())
    assert resumed.weighting.similarity == sims
    assert resumed.old_task_scales(['depth']) == \
        adaptive.old_task_scales(['depth'])


def test_weighting_needs_a_distilling_method():
    with pytest.raises(ValueError, match='no component that distils'):
        tiny_model(type='EWC', old_task_weighting=ADAPTIVE)
