"""The teacher's backbone runs once per step, whatever the components read
of it; each task read costs one head."""
import pytest
import torch

from mmhad.algorithms import TeacherPass
from tests.conftest import TINY_FEAT_CHANNELS, tiny_model
from tests.test_algorithms.test_lifelong_algorithm import make_batch


def count_calls(module):
    calls = [0]
    module.register_forward_hook(lambda *args: calls.__setitem__(
        0, calls[0] + 1))
    return calls


READERS = {
    # LwM: LwF's outputs and attention distillation's features
    'LwM': dict(type='LwF', components=dict(lwm=dict(
        type='AttentionDistillation', loss_weight=0.01))),
    # FitNets' features beside LwF's outputs
    'FitNets+LwF': dict(type='LwF', components=dict(fitnets=dict(
        type='FeatureDistillation', feat_channels=TINY_FEAT_CHANNELS))),
    # HAD and LwF both read outputs
    'HAD+LwF': dict(type='HAD', components=dict(lwf=dict(type='LwF'))),
}


TERMS = {'LwM': ['loss_lwf', 'loss_lwm'],
         'FitNets+LwF': ['loss_lwf', 'loss_hint'],
         'HAD+LwF': ['loss_db', 'loss_lwf']}


@pytest.mark.parametrize('name', list(READERS))
def test_one_teacher_backbone_pass_per_step(name):
    model = tiny_model(**READERS[name])
    model.begin_phase(1, ['semantic'])
    model.begin_phase(2, ['depth'])
    model.begin_phase(3, ['normal'])
    backbone = count_calls(model.teacher.backbone)
    heads = {task: count_calls(model.teacher.heads[task])
             for task in model.teacher.heads}
    model.train()
    losses = model.loss(*make_batch())
    assert backbone[0] == 1
    # every component's terms are there, from that one pass
    for term in TERMS[name]:
        assert any(term in key for key in losses), (term, sorted(losses))
    # outputs of the two old tasks: a head each (LwM's Grad-CAM reruns
    # a head on features that need a gradient, never the backbone)
    assert all(calls[0] >= 1 for calls in heads.values())


def test_a_second_read_of_the_same_task_runs_nothing_again():
    model = tiny_model(type='LwF')
    model.begin_phase(1, ['semantic'])
    model.begin_phase(2, ['depth'])
    backbone = count_calls(model.teacher.backbone)
    head = count_calls(model.teacher.heads['semantic'])
    inputs, samples = make_batch()
    teacher = model.teacher_pass(inputs, samples)
    first = teacher.outputs(['semantic'])['semantic']
    feats = teacher.feats()
    again = teacher.outputs(['semantic'])['semantic']
    assert (backbone[0], head[0]) == (1, 1)
    assert again is first and len(feats) == len(teacher.feats())
    # the same values as the teacher's own forward
    with torch.no_grad():
        direct = model.teacher.predict_tasks(inputs, ['semantic'])['semantic']
    assert torch.equal(first, direct)


def test_without_a_teacher_reading_it_names_the_phase():
    model = tiny_model(type='FineTune')
    model.begin_phase(1, ['semantic'])
    with pytest.raises(RuntimeError, match='no teacher in phase 1'):
        TeacherPass(model.teacher, make_batch()[0], phase=1).feats()
