"""Every method and combination of components: no extra terms in phase 1;
non-zero, finite terms with gradients in later phases; method-specific
behaviour."""
import glob
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmhad.components import LossComponent
from mmhad.registry import MODELS
from tests.conftest import (REPO_ROOT, TASKS, TINY_ARCHITECTURE,
                            TINY_FEAT_CHANNELS, tiny_model, tiny_model_cfg)
from tests.test_algorithms.test_lifelong_algorithm import (component_losses,
                                                           make_batch, method,
                                                           train_steps)

METHODS = {
    'HAD':
    dict(type='HAD'),
    'LwF':
    dict(type='LwF', temperature=2.0),
    'LwM':
    dict(
        type='LwF',
        temperature=2.0,
        components=dict(
            lwm=dict(type='AttentionDistillation', loss_weight=1.0))),
    'HAD+Replay':
    dict(
        type='HAD',
        components=dict(replay=dict(type='ExemplarReplay', memory_size=4))),
    'LwF+EWC':
    dict(
        type='LwF',
        components=dict(ewc=dict(type='EWC', loss_weight=10.0))),
    'EWC':
    dict(type='EWC', loss_weight=10.0),
    'MAS':
    dict(type='MAS', loss_weight=10.0),
    'FeatureDistillation':
    dict(type='FeatureDistillation', regressor=True, feat_channels=64),
    'StructuredDistillation':
    dict(type='StructuredDistillation'),
    'HAD-sampled':
    dict(type='HAD', distill_tasks_per_step=1),
    'DKD':
    dict(
        type='LwF',
        old_task_weighting=dict(type='AdaptiveOldTaskWeighting', interval=1)),
    'Replay':
    dict(type='ExemplarReplay', memory_size=4),
    'DER':
    dict(type='ExemplarReplay', memory_size=4, target='output'),
}


def phase_data(tasks):
    """A one-batch 'dataloader' as the loop hands it to end_phase."""
    inputs, samples = make_batch(tasks=tasks)
    return [dict(inputs=list(inputs), data_samples=samples)]


def run_phases(method_cfg, phases=(['semantic'], ['depth'], ['normal'])):
    """Train each phase for two steps; the last phase is left unfinished
    (no end_phase), as in the middle of training. ``method_cfg``: keywords
    of :func:`tiny_model_cfg`, or a whole model config."""
    model = MODELS.build(method_cfg if 'architecture' in
                         method_cfg else tiny_model_cfg(**method_cfg))
    model.set_tasks(TASKS)
    extras = []
    for phase, tasks in enumerate(phases, 1):
        if phase > 1:
            model.end_phase(phase_data(phases[phase - 2]))
        model.begin_phase(phase, tasks)
        losses = train_steps(model, tasks)
        extras.append({
            k: v
            for k, v in losses.items() if not k.startswith('new.')
        })
    return model, extras


def check_extra_terms(method_cfg, name):
    """Zero extra terms in phase 1; later: non-zero, finite, and with
    gradients that reach the shared backbone."""
    model, extras = run_phases(method_cfg)
    # nothing to protect yet: no term at all (not even zero-valued ones)
    assert extras[0] == {}, f'{name} adds {sorted(extras[0])} in phase 1'
    if not any(isinstance(c, LossComponent)
               for c in model.components.values()):
        # it acts on the optimizer's steps (tests of SPG and SGP below)
        assert not any(extras)
        return
    for later in extras[1:]:
        assert later, f'{name} adds no term in a later phase'
        for key, value in later.items():
            value = float(value.detach())
            assert math.isfinite(value) and value != 0, key
    # gradients of a fresh later-phase step reach the shared backbone
    model.zero_grad()
    losses = model.loss(*make_batch(tasks=['normal']))
    extra = sum(v for k, v in losses.items() if not k.startswith('new.'))
    extra.backward()
    grads = [p.grad for p in model.architecture.backbone.parameters()]
    assert any(g is not None and g.abs().sum() > 0 for g in grads)


@pytest.mark.parametrize('name', list(METHODS))
def test_no_terms_in_phase_1_then_finite_terms_with_gradients(name):
    check_extra_terms(METHODS[name], name)


METHOD_CONFIGS = sorted(
    p for p in glob.glob(osp.join(REPO_ROOT, 'configs', '*', '*.py'))
    if '_base_' not in p and Config.fromfile(p).get('model', {}).get(
        'components'))  # fine-tuning, joint, single-task: nothing to check


@pytest.mark.parametrize('path', METHOD_CONFIGS, ids=osp.basename)
def test_every_config_s_method_knobs_on_the_tiny_model(path):
    """Each shipped config's method settings (its components and algorithm
    knobs: HAD ablations, the reference variant, baselines) build and give
    valid terms on the tiny architecture."""
    model = Config.fromfile(path).model.to_dict()
    model['architecture'] = TINY_ARCHITECTURE
    for component in model['components'].values():
        if 'feat_channels' in component:  # the tiny backbone's width
            component['feat_channels'] = TINY_FEAT_CHANNELS
        if 'confidence_threshold' in component:
            # an untrained teacher is never confident, so the guard would
            # rightly silence its terms; the guard has a test of its own
            # (test_had_confidence_threshold_skips_unsure_teacher_pixels)
            component['confidence_threshold'] = 0.
    check_extra_terms(model, osp.basename(path))


def test_lwf_kl_is_zero_for_the_teacher_itself_and_scales_with_t2():
    from mmhad.tasks import SemanticTask
    task = SemanticTask('semantic', num_classes=3)
    logits = torch.randn(2, 3, 4, 5)
    pred = torch.log_softmax(logits, dim=1)
    assert torch.allclose(
        task.soft_pixel_loss(pred, pred, 4.0), torch.zeros(2, 4, 5), atol=1e-6)
    other = torch.log_softmax(torch.randn(2, 3, 4, 5), dim=1)
    # T = 1: plain KL(teacher || student)
    kl = (other.exp() * (other - pred)).sum(1)
    assert torch.allclose(
        task.soft_pixel_loss(pred, other, 1.0), kl, atol=1e-6)


def test_ewc_importance_is_squared_gradient_and_anchors_phase_weights():
    model = tiny_model(type='EWC')
    model.begin_phase(1, ['depth'])
    train_steps(model, ['depth'])
    data = phase_data(['depth'])
    model.end_phase(data)
    # by hand: squared gradient of the depth loss on the same batch
    model.eval()
    batch = model.data_preprocessor(data[0], True)
    outputs = model.predict_tasks(batch['inputs'], ['depth'])
    loss = sum(
        model.architecture.supervised_losses(outputs, batch['data_samples'],
                                             ['depth']).values())
    weight = model.heads['depth'].conv_seg.weight
    grad, = torch.autograd.grad(loss, [weight])
    key = 'heads.depth.conv_seg.weight'
    ewc = method(model)
    assert torch.allclose(ewc.importance[key], grad**2)
    assert torch.equal(ewc.anchors[key], weight.detach())
    # no drift, no penalty; moving an anchored weight is penalised
    model.begin_phase(2, ['normal'])
    penalty = component_losses(model, {}, [])['loss_ewc']
    assert float(penalty) == 0
    with torch.no_grad():
        weight.add_(1.0)
    penalty = component_losses(model, {}, [])['loss_ewc']
    assert float(penalty) == pytest.approx(
        float(ewc.importance[key].sum()) / 2, rel=1e-5)


def test_regularizer_state_travels_in_the_state_dict():
    model, _ = run_phases(METHODS['MAS'], phases=(['semantic'], ['depth']))
    state = model.state_dict()
    assert 'components.mas._extra_state' in state
    fresh = tiny_model(**METHODS['MAS'])
    fresh.load_state_dict(state)
    assert method(fresh).importance.keys() == method(model).importance.keys()
    for key, value in method(model).importance.items():
        assert torch.equal(method(fresh).importance[key], value)


def test_sampling_distils_k_old_tasks_scaled_to_all():
    model = tiny_model(type='LwF', distill_tasks_per_step=1)
    for phase, task in enumerate(['semantic', 'depth', 'normal'], 1):
        model.begin_phase(phase, [task])
    torch.manual_seed(0)
    drawn = {tuple(model.distilled_tasks()) for _ in range(50)}
    assert drawn == {('semantic', ), ('depth', )}
    assert model.old_task_scales(['depth']) == dict(depth=2.0)
    losses = model.loss(*make_batch(tasks=['normal']))
    assert len([k for k in losses if k.startswith('distill.loss_lwf')]) == 1


def test_replay_memory_keeps_equal_shares_and_survives_the_state_dict():
    model, _ = run_phases(
        dict(type='ExemplarReplay', memory_size=4),
        phases=(['semantic'], ['depth'], ['normal']))
    model.end_phase(phase_data(['normal']))
    memory = method(model).memory
    # 3 phases in a memory of 4: 1 image each (4 // 3), labels of its task
    assert [len(e['inputs']) for e in memory] == [1, 1, 1]
    assert [list(e['targets']) for e in memory] == [['semantic'], ['depth'],
                                                    ['normal']]
    fresh = tiny_model(type='ExemplarReplay')
    fresh.load_state_dict(model.state_dict())
    assert torch.equal(
        method(fresh).memory[1]['targets']['depth'],
        memory[1]['targets']['depth'])


def test_der_stores_the_model_outputs_of_every_learned_task():
    model, _ = run_phases(
        dict(type='ExemplarReplay', memory_size=4, target='output'),
        phases=(['semantic'], ['depth']))
    model.end_phase(phase_data(['depth']))
    memory = method(model).memory
    assert list(memory[1]['targets']) == ['semantic', 'depth']
    model.eval()
    with torch.no_grad():
        again = model.predict_tasks(memory[1]['inputs'])
    assert torch.allclose(again['depth'], memory[1]['targets']['depth'])


def test_had_confidence_threshold_skips_unsure_teacher_pixels():
    model = tiny_model(type='HAD')
    for phase, task in enumerate(['semantic', 'depth', 'normal'], 1):
        model.begin_phase(phase, [task])
    g = torch.Generator().manual_seed(0)
    student = {
        n: torch.randn(2, c, 8, 8, generator=g)
        for n, c in (('semantic', 7), ('depth', 1))
    }
    student['semantic'] = student['semantic'].log_softmax(1)
    # a teacher sure of class 3 on the left half only
    teacher = torch.full((2, 7, 8, 8), 1 / 7).log()
    teacher[:, :, :, :4] = torch.tensor([0.01] * 3 + [0.94] +
                                        [0.01] * 3).log().view(1, 7, 1, 1)
    outputs = dict(semantic=teacher, depth=torch.rand(2, 1, 8, 8))
    old = ['semantic', 'depth']
    had = method(model)
    full = component_losses(model, student, old, teacher_outputs=outputs)
    had.confidence_threshold = 0.5
    guarded = component_losses(model, student, old, teacher_outputs=outputs)
    # only the confident half is distilled: the left half's class-3 losses
    loss_map = -student['semantic'][:, 3, :, :4]
    expected = had.task_weight() * loss_map.log().mean().exp()
    assert float(guarded['loss_db.semantic']) == pytest.approx(
        float(expected), rel=1e-4)
    assert float(guarded['loss_db.semantic']) != pytest.approx(
        float(full['loss_db.semantic']))
    # depth has no confidence: distilled as before
    assert float(guarded['loss_db.depth']) == float(full['loss_db.depth'])
    # 'scale' keeps the unsure half (a tie: class 0), its loss times 1/7 / 0.5
    had.confidence_guard = 'scale'
    scaled = component_losses(model, student, old, teacher_outputs=outputs)
    unsure = -student['semantic'][:, 0, :, 4:] * (1 / 7) / 0.5
    expected = had.task_weight() * (loss_map.log().mean().exp() +
                                    unsure.log().mean().exp()) / 2
    assert float(scaled['loss_db.semantic']) == pytest.approx(
        float(expected), rel=1e-4)
    assert float(scaled['loss_db.depth']) == float(full['loss_db.depth'])
    with pytest.raises(ValueError, match='confidence_guard'):
        tiny_model(type='HAD', confidence_guard='weight')


def test_lwm_grad_cam_by_hand_and_zero_when_student_is_teacher():
    from mmhad.components.lwm import grad_cam
    feat = torch.rand(2, 3, 4, 5, requires_grad=True)
    w = torch.tensor([1.0, -2.0, 0.5])
    score = (w[None, :, None, None] * feat).mean(dim=(2, 3)).sum()
    cam = grad_cam(feat, score, create_graph=False)
    # alpha_k = w_k / (h w); ReLU(sum_k alpha_k F_k), unit norm per image
    expected = torch.relu((w[None, :, None, None] / 20 * feat).sum(1))
    expected = torch.nn.functional.normalize(expected.flatten(1), dim=1)
    assert torch.allclose(cam, expected.detach(), atol=1e-6)
    # at the start of a phase the student is the teacher: no attention gap
    model = tiny_model(**METHODS['LwM'])
    model.begin_phase(1, ['semantic'])
    train_steps(model, ['semantic'])
    model.begin_phase(2, ['depth'])
    model.eval()
    losses = model.loss(*make_batch(tasks=['depth']))
    assert float(losses['distill.loss_lwm.semantic']) == pytest.approx(
        0, abs=1e-6)


def test_spg_scales_each_step_by_one_minus_its_importance():
    model = tiny_model(type='SPG')
    model.begin_phase(1, ['semantic'])
    train_steps(model, ['semantic'])
    model.end_phase(phase_data(['semantic']))
    weight = model.architecture.backbone.layer4[0].conv1.weight
    gamma = method(model).importance['backbone.layer4.0.conv1.weight']
    assert gamma.min() >= 0 and gamma.max() <= 1 and (gamma > 0).any()
    model.begin_phase(2, ['depth'])
    model.train()
    # plain SGD, lr 1: the unmasked step is minus the gradient
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    before = weight.detach().clone()
    head = model.heads['depth'].conv_seg.weight
    head_before = head.detach().clone()
    sum(model.loss(*make_batch(tasks=['depth'])).values()).backward()
    optimizer.step()
    assert torch.allclose(
        weight - before, -(1 - gamma) * weight.grad, atol=1e-6)
    # the new head has no importance: its step is the optimizer's own
    assert 'heads.depth.conv_seg.weight' not in method(model).importance
    assert torch.allclose(head - head_before, -head.grad, atol=1e-6)


def test_sgp_projects_each_step_out_of_earlier_inputs_span():
    from mmhad.components.sgp import extend_basis
    model = tiny_model(type='SGP', max_columns=64)
    model.begin_phase(1, ['semantic'])
    train_steps(model, ['semantic'])
    model.end_phase(phase_data(['semantic']))
    name = 'backbone.layer4.0.conv1.weight'
    basis, scales = method(model).bases[name], method(model).scales[name]
    assert torch.allclose(
        basis.t() @ basis, torch.eye(basis.shape[1]), atol=1e-4)
    assert float(scales.max()) == pytest.approx(1) and scales.min() > 0
    model.begin_phase(2, ['depth'])
    model.train()
    weight = model.architecture.backbone.layer4[0].conv1.weight
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    before = weight.detach().clone()
    sum(model.loss(*make_batch(tasks=['depth'])).values()).backward()
    optimizer.step()
    grad = weight.grad.reshape(weight.shape[0], -1)
    projection = basis @ torch.diag(scales) @ basis.t()
    expected = -(grad - grad @ projection)
    assert torch.allclose(
        (weight - before).reshape_as(expected), expected, atol=1e-5)
    # a second phase only adds directions the basis does not span yet
    reps = torch.randn(basis.shape[0], 30)
    grown, grown_scales = extend_basis(basis, scales, reps, 0.99, 10.0)
    assert torch.equal(grown[:, :basis.shape[1]], basis)
    assert torch.allclose(
        grown.t() @ grown, torch.eye(grown.shape[1]), atol=1e-4)
    assert len(grown_scales) == grown.shape[1]


def test_piggyback_old_tasks_never_change_and_new_masks_learn():
    model = tiny_model(type='Piggyback')
    inputs, _ = make_batch(tasks=['semantic'])
    model.begin_phase(1, ['semantic'])
    train_steps(model, ['semantic'])
    model.eval()
    with torch.no_grad():
        before = model.predict_tasks(inputs, ['semantic'])['semantic']
    backbone = model.architecture.backbone
    weights = {n: p.detach().clone() for n, p in backbone.named_parameters()}
    for phase, task in ((2, 'depth'), (3, 'normal')):
        model.begin_phase(phase, [task])
        train_steps(model, [task])
    model.eval()
    with torch.no_grad():
        after = model.predict_tasks(inputs, ['semantic', 'depth'])
    assert torch.equal(after['semantic'], before)
    assert all(
        torch.equal(p, weights[n]) for n, p in backbone.named_parameters())
    # the later tasks learnt masks of their own over the frozen weights
    piggyback = method(model)
    scores = piggyback.mask_scores['depth']
    assert any(not torch.all(s == piggyback.init_score)
               for s in scores.values())
    assert 'semantic' not in piggyback.mask_scores
    assert 0 < piggyback.mask_density('depth') <= 1
    # a fresh model loads the phase-3 state, masks included
    fresh = tiny_model(type='Piggyback')
    fresh.load_state_dict(model.state_dict())
    fresh.eval()
    with torch.no_grad():
        again = fresh.predict_tasks(inputs, ['semantic', 'depth'])
    assert torch.equal(again['depth'], after['depth'])
