"""HAD's pseudo-label groupings, one per output form, checked by hand."""
import pytest
import torch

from mmhad.registry import DENSE_TASKS, PSEUDO_GROUPINGS


def task(cfg, name):
    return DENSE_TASKS.build(cfg, default_args=dict(name=name))


def grouping(form, **knobs):
    return PSEUDO_GROUPINGS.build(dict(type=form, **knobs))


def test_every_task_kind_s_output_form_has_a_grouping():
    for name, kind in DENSE_TASKS.module_dict.items():
        assert kind.OUTPUT_FORM in PSEUDO_GROUPINGS, name


def test_classes_group_by_the_teacher_s_argmax_with_top1_confidence():
    semantic = task(dict(type='SemanticTask', num_classes=3), 'semantic')
    probs = torch.tensor([0.7, 0.2, 0.1]).view(1, 3, 1, 1)
    classes = grouping(semantic.OUTPUT_FORM)
    pseudo = semantic.pseudo_label(probs.log())
    assert torch.equal(classes.groups(semantic, pseudo, None), pseudo)
    assert classes.num_groups(semantic) == 3
    assert classes.family == 'classification'
    confidence = classes.confidence(semantic, probs.log())
    assert confidence.shape == (1, 1, 1)
    assert confidence.item() == pytest.approx(0.7)


def test_binary_maps_group_by_side_with_the_side_s_probability():
    edge = task(dict(type='EdgeTask'), 'edge')
    prob = torch.tensor([[[[0.1, 0.6, 0.95]]]])
    sides = grouping(edge.OUTPUT_FORM)
    pseudo = edge.pseudo_label(prob)
    assert sides.groups(edge, pseudo, prob).tolist() == [[[0, 1, 1]]]
    assert sides.num_groups(edge) == 2
    assert sides.confidence(edge, prob)[0, 0].tolist() == pytest.approx(
        [0.9, 0.6, 0.95])


def test_regression_groups_split_the_normalised_pseudo_label_at_delta():
    depth = task(dict(type='DepthTask'), 'depth')
    pseudo = torch.tensor([[[[0.0, 1.0], [2.0, 4.0]]]])
    # min-max per image: 0, .25, .5, 1 -> foreground at >= delta
    for delta, expected in ((0.5, [[[0, 0], [1, 1]]]),
                            (0.3, [[[0, 0], [1, 1]]]),
                            (0.2, [[[0, 1], [1, 1]]])):
        split = grouping('regression', delta=delta)
        assert split.groups(depth, pseudo, None).tolist() == expected
    assert grouping('regression').confidence(depth, pseudo) is None
    assert grouping('regression').family == 'regression'


def test_regression_groups_normalise_each_image_separately():
    depth = task(dict(type='DepthTask'), 'depth')
    pseudo = torch.stack([
        torch.tensor([[[0.0, 10.0]]]),
        torch.tensor([[[100.0, 101.0]]]),
    ])
    split = grouping('regression')
    assert split.groups(depth, pseudo, None).tolist() == [[[0, 1]], [[0, 1]]]
    constant = torch.full((1, 1, 2, 2), 3.0)
    assert split.groups(depth, constant, None).sum() == 0


def test_regression_bins_split_the_normalised_pseudo_label():
    depth = task(dict(type='DepthTask'), 'depth')
    pseudo = torch.tensor([0.0, 0.1, 0.35, 0.5, 0.99, 1.0]).view(1, 1, 1, 6)
    bins = grouping('regression', num_bins=5)
    assert bins.groups(depth, pseudo, None).flatten().tolist() == [
        0, 0, 1, 2, 4, 4
    ]
    assert bins.num_groups(depth) == 5


def test_raw_student_and_strict_split_as_the_reference_code():
    depth = task(dict(type='DepthTask'), 'depth')
    raw = torch.tensor([[[[0.2, 0.5, 0.7]]]])
    pseudo = torch.zeros_like(raw)  # ignored: the student's map is split
    assert grouping('regression', raw_student=True).groups(
        depth, pseudo, raw).tolist() == [[[0, 1, 1]]]
    assert grouping('regression', raw_student=True, strict=True).groups(
        depth, pseudo, raw).tolist() == [[[0, -1, 1]]]


def test_unit_vectors_split_the_channel_mean():
    normal = task(dict(type='NormalTask'), 'normal')
    pred = normal.activate(torch.tensor([[[[2.0, 0.0]], [[0.0, 0.0]],
                                          [[0.0, 3.0]]]]))
    assert grouping(normal.OUTPUT_FORM).groups(normal, pred,
                                               pred).shape == (1, 1, 2)
