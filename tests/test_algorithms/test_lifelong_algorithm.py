import copy

import pytest
import torch

from mmhad.algorithms import TeacherPass, TrainStep
from mmhad.registry import MODELS
from mmhad.structures import MultiTaskDataSample
from tests.conftest import TASKS, tiny_model, tiny_model_cfg


def method(model):
    """The one component of a single-method tiny model."""
    component, = model.components.values()
    return component


def component_losses(model,
                     outputs,
                     distilled,
                     inputs=None,
                     samples=None,
                     feats=None,
                     teacher_outputs=None,
                     name=None):
    """The (unprefixed) terms of the model's component ``name`` (its only
    one by default) at a step with these student ``outputs``; the teacher
    answers with ``teacher_outputs`` when given."""
    component = model.components[name] if name else method(model)
    teacher = model.teacher_pass(inputs, samples)
    if teacher_outputs is not None:
        teacher = TeacherPass(
            model.teacher, inputs,
            lambda names: {n: teacher_outputs[n] for n in names})
    step = TrainStep(inputs, samples, feats, outputs, list(distilled),
                     model.old_task_scales(distilled), teacher)
    return component.losses(step)


def make_batch(num=2,
               height=32,
               width=40,
               tasks=('semantic', 'depth', 'normal')):
    torch.manual_seed(0)
    inputs = torch.rand(num, 3, height, width)
    samples = []
    for _ in range(num):
        sample = MultiTaskDataSample()
        if 'semantic' in tasks:
            sample.gt_semantic = torch.randint(0, 7, (height, width)).float()
        if 'depth' in tasks:
            sample.gt_depth = torch.rand(1, height, width) + 0.5
        if 'normal' in tasks:
            sample.gt_normal = torch.nn.functional.normalize(
                torch.randn(3, height, width), dim=0)
        samples.append(sample)
    return inputs, samples


def train_steps(model, tasks, steps=2):
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    model.train()
    for _ in range(steps):
        losses = model.loss(*make_batch(tasks=tasks))
        loss = sum(losses.values())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def test_heads_grow_as_tasks_arrive():
    model = tiny_model(type='FineTune')
    assert model.task_names == []
    added = model.begin_phase(1, ['semantic'])
    assert model.task_names == ['semantic'] and len(added) == 1
    model.begin_phase(2, ['depth'])
    assert model.task_names == ['semantic', 'depth']
    out = model.eval()(torch.rand(1, 3, 32, 40), mode='tensor')
    assert out['semantic'].shape == (1, 7, 32, 40)
    assert out['depth'].shape == (1, 1, 32, 40)


def test_unknown_task_is_refused_by_name():
    model = tiny_model(type='FineTune')
    with pytest.raises(KeyError, match="'edge'"):
        model.begin_phase(1, ['edge'])
    assert model.task_names == []


def test_teacher_is_frozen_in_eval_mode_and_unchanged_by_training():
    model = tiny_model()
    model.begin_phase(1, ['semantic'])
    assert model.teacher is None  # nothing to distil in phase 1
    losses = train_steps(model, ['semantic'])
    assert set(losses) == {'new.loss.semantic'}

    model.begin_phase(2, ['depth'])
    teacher = model.teacher
    assert teacher is not None and teacher.task_names == ['semantic']
    assert all(not p.requires_grad for p in teacher.parameters())
    before = copy.deepcopy(teacher.state_dict())
    model.train()
    assert model.training and not teacher.training
    losses = train_steps(model, ['depth'])
    assert set(losses) == {
        'new.loss.depth', 'distill.loss_db.semantic',
        'distill.loss_sg.semantic'
    }
    for key, value in teacher.state_dict().items():
        assert torch.equal(value, before[key]), key
    # not a submodule: not saved with the student, not optimised
    assert not any(k.startswith('teacher') for k in model.state_dict())
    assert not any(p is q for p in model.parameters()
                   for q in teacher.parameters())


def test_had_terms_are_weighted_by_lambda_over_2_old_tasks():
    model = tiny_model(loss_weight=3.0)
    model.begin_phase(1, ['semantic'])
    model.begin_phase(2, ['depth'])
    model.begin_phase(3, ['normal'])
    assert model.old_tasks == ['semantic', 'depth']
    had = method(model)
    assert had.task_weight() == pytest.approx(3.0 / 4)
    # the reference code's weighting is a type of its own
    reference = tiny_model(type='ReferenceHAD', loss_weight=3.0)
    for phase, task in enumerate(['semantic', 'depth', 'normal'], 1):
        reference.begin_phase(phase, [task])
    assert method(reference).task_weight() == pytest.approx(1.5)
    model.train()
    losses = model.loss(*make_batch(tasks=['normal']))
    assert set(losses) == {
        'new.loss.normal', 'distill.loss_db.semantic',
        'distill.loss_sg.semantic', 'distill.loss_db.depth',
        'distill.loss_sg.depth'
    }
    total = sum(losses.values())
    total.backward()
    assert torch.isfinite(total)
    grads = [
        p.grad for p in model.heads['semantic'].parameters()
        if p.grad is not None
    ]
    assert grads and any(g.abs().sum() > 0 for g in grads)


def test_had_without_sg_or_db():
    model = tiny_model(sg_loss=None)
    model.begin_phase(1, ['semantic'])
    model.begin_phase(2, ['depth'])
    losses = model.loss(*make_batch(tasks=['depth']))
    assert set(losses) == {'new.loss.depth', 'distill.loss_db.semantic'}
    with pytest.raises(ValueError, match='no components'):
        tiny_model(sg_loss=None, db_loss=None)


def test_had_per_family_losses_and_raw_student_groups(monkeypatch):
    from mmhad.components.had import HAD
    model = tiny_model(
            groupings=dict(
                regression=dict(type='ReferenceForegroundGrouping')),
            db_loss=dict(
                classification=dict(
                    type='DistributionBalancedLoss',
                    group_weighting='softmax',
                    group_reduction='mean_all'),
                regression=dict(
                    type='DistributionBalancedLoss',
                    mean='arithmetic',
                    group_reduction='sum')),
            sg_loss=dict(
                classification=None,
                regression=dict(type='SalienceGuidedLoss')))
    model.begin_phase(1, ['semantic'])
    model.begin_phase(2, ['depth'])
    model.begin_phase(3, ['normal'])
    seen = {}
    groups = HAD._groups

    def spy(self, task, pseudo, student_pred):
        result = groups(self, task, pseudo, student_pred)
        seen[task.name] = (pseudo, student_pred, result)
        return result

    monkeypatch.setattr(HAD, '_groups', spy)
    losses = model.loss(*make_batch(tasks=['normal']))
    # no SG for the classification task, SG for the regression task
    assert set(losses) == {
        'new.loss.normal', 'distill.loss_db.semantic', 'distill.loss_db.depth',
        'distill.loss_sg.depth'
    }
    # depth groups come from the student's raw prediction at delta = 0.5
    _, student_depth, depth_groups = seen['depth']
    score = student_depth.detach()[:, 0]
    assert torch.equal(depth_groups, torch.where(
        score == 0.5, -1, (score >= 0.5).long()))
    # semantic groups are still the teacher's argmax
    pseudo, _, semantic_groups = seen['semantic']
    assert torch.equal(semantic_groups, pseudo)
    with pytest.raises(KeyError, match='NoSuchGrouping'):
        tiny_model(groupings=dict(regression=dict(type='NoSuchGrouping')))
    with pytest.raises(ValueError, match='per-family'):
        MODELS.build(
            tiny_model_cfg(
                db_loss=dict(
                    segmentation=dict(type='DistributionBalancedLoss'))))


def test_norm_eval_from_phase_freezes_shared_and_old_norm_statistics():
    from torch.nn.modules.batchnorm import _BatchNorm
    cfg = tiny_model_cfg(type='LwF', norm_eval_from_phase=2)
    # without dropout, train-mode outputs are deterministic
    cfg['architecture']['decode_head'] = dict(
        cfg['architecture']['decode_head'], dropout_ratio=0.)
    model = MODELS.build(cfg)
    model.set_tasks(TASKS)

    def norm_layers(module):
        return [m for m in module.modules() if isinstance(m, _BatchNorm)]

    model.begin_phase(1, ['semantic'])
    model.train()
    assert all(m.training for m in norm_layers(model))
    model.begin_phase(2, ['depth'])
    model.train()
    shared = norm_layers(model.architecture.backbone) + norm_layers(
        model.heads['semantic'])
    assert shared and not any(m.training for m in shared)
    assert all(m.training for m in norm_layers(model.heads['depth']))
    before = shared[0].running_mean.clone()
    losses = model.loss(*make_batch(tasks=['depth']))
    sum(losses.values()).backward()
    # frozen statistics, but the affine parameters still get gradients
    assert torch.equal(shared[0].running_mean, before)
    assert shared[0].weight.grad is not None
    # at the start of the phase the student in train mode now equals the
    # teacher on the old task
    model.train()
    inputs = make_batch(tasks=['depth'])[0]
    student = model.predict_tasks(inputs, ['semantic'])['semantic']
    teacher = model.teacher_pass(inputs).outputs(['semantic'])['semantic']
    assert torch.allclose(student, teacher, atol=1e-5)
    with pytest.raises(ValueError, match='norm_eval_from_phase'):
        tiny_model(norm_eval_from_phase=0)


def test_finetune_has_no_teacher_and_no_extra_terms():
    model = tiny_model(type='FineTune')
    model.begin_phase(1, ['semantic'])
    model.begin_phase(2, ['depth'])
    assert model.teacher is None
    assert set(model.loss(*make_batch(tasks=['depth']))) == {'new.loss.depth'}


def test_loss_before_any_phase_explains_what_to_do():
    model = tiny_model()
    with pytest.raises(RuntimeError, match='LifelongTrainLoop'):
        model.loss(*make_batch())


def test_state_dict_with_more_heads_grows_a_fresh_model():
    model = tiny_model()
    model.begin_phase(1, ['semantic'])
    model.begin_phase(2, ['depth'])
    fresh = tiny_model()
    fresh.load_state_dict(model.state_dict())
    assert fresh.task_names == ['semantic', 'depth']
    fresh.eval()
    model.eval()
    inputs = torch.rand(1, 3, 32, 40)
    a, b = model(inputs, mode='tensor'), fresh(inputs, mode='tensor')
    assert torch.allclose(a['depth'], b['depth'])


def test_resumed_teacher_is_rebuilt_from_a_saved_state():
    model = tiny_model()
    model.begin_phase(1, ['semantic'])
    train_steps(model, ['semantic'], steps=1)
    saved = copy.deepcopy(model.state_dict())
    model.begin_phase(2, ['depth'])
    train_steps(model, ['depth'], steps=1)  # student moves on
    resumed = tiny_model()
    resumed.load_state_dict(model.state_dict())  # has both heads
    resumed.begin_phase(2, ['depth'], teacher_state_dict=saved)
    assert resumed.teacher.task_names == ['semantic']
    for key, value in model.teacher.state_dict().items():
        assert torch.equal(value, resumed.teacher.state_dict()[key]), key


def test_label_outside_the_classes_names_value_and_images():
    model = tiny_model(type='FineTune')
    model.begin_phase(1, ['semantic'])
    inputs, samples = make_batch(tasks=['semantic'])
    samples[0].gt_semantic[0, 0] = 20
    for i, sample in enumerate(samples):
        sample.set_metainfo(dict(img_path=f'train/image/{i}.npy'))
    with pytest.raises(
            ValueError, match=r"label values \[20\].*train/image/0.npy"):
        model.loss(inputs, samples)


def test_channels_last_predicts_as_the_default_layout():
    torch.manual_seed(0)
    plain = tiny_model(type='FineTune')
    fast = tiny_model(type='FineTune', channels_last=True)
    for model in (plain, fast):
        model.begin_phase(1, ['semantic'])
        model.eval()
    fast.load_state_dict(plain.state_dict())
    head = fast.heads['semantic'].conv_seg.weight
    assert head.is_contiguous(memory_format=torch.channels_last)
    inputs = torch.rand(2, 3, 32, 40)
    assert torch.allclose(
        plain.predict_tasks(inputs, ['semantic'])['semantic'],
        fast.predict_tasks(inputs, ['semantic'])['semantic'],
        atol=1e-5)
