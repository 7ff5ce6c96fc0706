"""HAD with the reference bundle gives the reference code's distillation loss
and gradients (docs/en/reference_parity.md).

The reference's math is restated below the slow, literal way (one class at a
time, the (B, B, H, W) broadcast built as a tensor), independently of the
vectorised knobs it is compared with.
"""
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config

from mmhad.registry import MODELS
from tests.conftest import REPO_ROOT, tiny_model
from tests.test_algorithms.test_lifelong_algorithm import component_losses

BUNDLE = Config.fromfile(
    osp.join(REPO_ROOT, 'configs/_base_/methods/had_reference.py'))
LAMBDA, K, SPLIT = 3.0, 0.9, 0.5


def salient(loss):
    """(B, H, W) map -> bool mask of its normalised Sobel magnitude > K,
    with a zero-padded filter and no guard against a constant map."""
    kx = torch.tensor([[-1., 0., 1.], [-2., 0., 2.], [-1., 0., 1.]])
    edges = [F.conv2d(loss[:, None], k[None, None], padding=1)
             for k in (kx, kx.t())]
    grad = torch.sqrt(edges[0]**2 + edges[1]**2)[:, 0].flatten(1)
    low, high = grad.min(1, keepdim=True)[0], grad.max(1, keepdim=True)[0]
    return ((grad - low) / (high - low) > K).view_as(loss)


def reference_semantic(student, teacher):
    target = teacher.argmax(1)
    loss = F.nll_loss(student, target, reduction='none')
    sg = (loss * salient(loss.detach())).mean()
    class_terms = []
    for c in range(student.shape[1]):
        pixels = loss[target == c]
        pixels = pixels[pixels != 0]
        class_terms.append(pixels.log().mean().exp() if pixels.numel()
                           else loss.sum() * 0)
    terms = torch.stack(class_terms)
    db = (terms * torch.softmax(-terms.detach(), 0)).mean()
    return (db + sg) / 2


def reference_depth(student, teacher):
    loss = (student - teacher).abs()  # (B, 1, H, W)
    above, below = student > SPLIT, student < SPLIT
    db = sum(loss[m].mean() if m.any() else loss.sum() * 0
             for m in (above, below))
    scored = loss * salient(loss.detach()[:, 0])  # (B, B, H, W) broadcast
    count = (scored != 0).sum()
    sg = scored.sum() / count if count else loss.sum() * 0
    return (db + sg) / 2


REFERENCE = dict(semantic=reference_semantic, depth=reference_depth)


def make_outputs(old, batch, seed, ties):
    g = torch.Generator().manual_seed(seed)
    student, teacher = {}, {}
    for name in old:
        channels = 7 if name == 'semantic' else 1
        s = torch.randn(batch, channels, 10, 12, generator=g)
        t = torch.randn(batch, channels, 10, 12, generator=g)
        if name == 'semantic':
            s, t = s.log_softmax(1), (2 * t).log_softmax(1)
        else:
            s, t = s.abs() * 0.6, t.abs() * 0.6 + 0.01
            if ties:  # pixels exactly at the split, and exact zero losses
                s[:, :, :2] = SPLIT
                t[:, :, 4:6] = s[:, :, 4:6]
        student[name] = s.requires_grad_(True)
        teacher[name] = t
    return student, teacher


@pytest.mark.parametrize('order', [['semantic', 'depth', 'normal'],
                                   ['depth', 'semantic', 'normal']])
@pytest.mark.parametrize('batch', [1, 2, 3, 5, 8])
@pytest.mark.parametrize('ties', [False, True])
def test_total_loss_and_gradients_equal_the_reference(order, batch, ties):
    model = tiny_model(**BUNDLE.had_reference)
    for phase, task in enumerate(order, 1):
        model.begin_phase(phase, [task])
    old = model.old_tasks
    assert old == order[:2]
    student, teacher = make_outputs(old, batch, seed=batch, ties=ties)
    ours = sum(component_losses(model, student, old,
                                teacher_outputs=teacher).values())
    ours_grads = torch.autograd.grad(ours, [student[n] for n in old])

    copies = {n: student[n].detach().clone().requires_grad_(True)
              for n in old}
    theirs = LAMBDA * sum(REFERENCE[n](copies[n], teacher[n]) for n in old)
    their_grads = torch.autograd.grad(theirs, [copies[n] for n in old])

    assert float(ours) == pytest.approx(float(theirs), abs=1e-6, rel=1e-6)
    for a, b in zip(ours_grads, their_grads):
        torch.testing.assert_close(a, b, rtol=1e-6, atol=1e-6)


def test_broadcast_changes_the_depth_term_only_with_several_images():
    student, teacher = make_outputs(['depth'], 4, seed=0, ties=False)
    loss = (student['depth'] - teacher['depth']).abs()[:, 0]
    common = dict(threshold=K, padding='zeros', drop_zeros=True)
    sg = MODELS.build(dict(type='SalienceGuidedLoss', **common))
    broadcast = MODELS.build(
        dict(type='ReferenceSalienceGuidedLoss', **common))
    assert float(broadcast(loss[:1])) == pytest.approx(float(sg(loss[:1])))
    assert float(broadcast(loss)) != pytest.approx(float(sg(loss)))


@pytest.mark.parametrize('dataset', ['synthetic', 'nyuv2'])
def test_scratch_configs_are_the_reference_without_its_regression_sg(
        dataset):
    """had_scratch_r18_*.py, the default chosen in the from-scratch
    regimes, is the reference bundle less the regression SG term."""
    scratch = Config.fromfile(
        osp.join(REPO_ROOT, f'configs/had/had_scratch_r18_{dataset}.py')
    ).model.components.had.to_dict()
    reference = BUNDLE.had_reference.to_dict()
    assert scratch['sg_loss'].pop('regression') is None
    assert reference['sg_loss'].pop('regression')['type'] == \
        'ReferenceSalienceGuidedLoss'
    assert scratch == reference


def test_default_bundle_is_the_paper_but_arithmetic_on_regression():
    """configs/_base_/methods/had.py (chosen in the pretrained regime): the
    paper's text, except arithmetic regression group means, no regression
    SG term and k = 0.5."""
    default = Config.fromfile(
        osp.join(REPO_ROOT, 'configs/_base_/methods/had.py')).had.to_dict()
    paper = Config.fromfile(
        osp.join(REPO_ROOT,
                 'configs/_base_/methods/had_paper.py')).had_paper.to_dict()
    db, sg = default.pop('db_loss'), default.pop('sg_loss')
    assert db['classification'] == paper.pop('db_loss')
    assert db['regression'] == dict(
        type='DistributionBalancedLoss', mean='arithmetic')
    assert sg == dict(
        classification=dict(type='SalienceGuidedLoss', threshold=0.5),
        regression=None)
    paper.pop('sg_loss')
    assert default == paper
