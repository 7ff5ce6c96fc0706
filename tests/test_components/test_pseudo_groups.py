"""HAD's pseudo-label groupings, the default of each output form, and the
forms' confidences, checked by hand."""
import pytest
import torch

from mmhad.registry import DENSE_TASKS, OUTPUT_FORMS, PSEUDO_GROUPINGS


def task(cfg, name):
    return DENSE_TASKS.build(cfg, default_args=dict(name=name))


def grouping(task, **knobs):
    """The default grouping of the task's output form."""
    return PSEUDO_GROUPINGS.build(dict(task.output_form.grouping, **knobs))


DEPTH = dict(type='DepthTask')


def test_every_task_kind_s_output_form_names_a_registered_grouping():
    for name, kind in DENSE_TASKS.module_dict.items():
        form = OUTPUT_FORMS.module_dict[kind.OUTPUT_FORM]
        assert form.grouping['type'] in PSEUDO_GROUPINGS.module_dict, name


def test_classes_group_by_the_teacher_s_argmax_with_top1_confidence():
    semantic = task(dict(type='SemanticTask', num_classes=3), 'semantic')
    probs = torch.tensor([0.7, 0.2, 0.1]).view(1, 3, 1, 1)
    classes = grouping(semantic)
    pseudo = semantic.pseudo_label(probs.log())
    assert torch.equal(classes.groups(semantic, pseudo, None), pseudo)
    assert classes.num_groups(semantic) == 3
    form = semantic.output_form
    assert form.family == 'classification'
    confidence = form.confidence(semantic, probs.log())
    assert confidence.shape == (1, 1, 1)
    assert confidence.item() == pytest.approx(0.7)


def test_binary_maps_group_by_side_with_the_side_s_probability():
    edge = task(dict(type='EdgeTask'), 'edge')
    prob = torch.tensor([[[[0.1, 0.6, 0.95]]]])
    sides = grouping(edge)
    pseudo = edge.pseudo_label(prob)
    assert sides.groups(edge, pseudo, prob).tolist() == [[[0, 1, 1]]]
    assert sides.num_groups(edge) == 2
    assert edge.output_form.family == 'classification'
    assert edge.output_form.confidence(edge, prob)[0, 0].tolist() == \
        pytest.approx([0.9, 0.6, 0.95])


def test_regression_groups_split_the_normalised_pseudo_label_at_delta():
    depth = task(DEPTH, 'depth')
    pseudo = torch.tensor([[[[0.0, 1.0], [2.0, 4.0]]]])
    # min-max per image: 0, .25, .5, 1 -> foreground at >= delta
    for delta, expected in ((0.5, [[[0, 0], [1, 1]]]),
                            (0.3, [[[0, 0], [1, 1]]]),
                            (0.2, [[[0, 1], [1, 1]]])):
        split = grouping(depth, delta=delta)
        assert split.groups(depth, pseudo, None).tolist() == expected
    assert depth.output_form.confidence(depth, pseudo) is None
    assert depth.output_form.family == 'regression'


def test_regression_groups_normalise_each_image_separately():
    depth = task(DEPTH, 'depth')
    pseudo = torch.stack([
        torch.tensor([[[0.0, 10.0]]]),
        torch.tensor([[[100.0, 101.0]]]),
    ])
    split = grouping(depth)
    assert split.groups(depth, pseudo, None).tolist() == [[[0, 1]], [[0, 1]]]
    constant = torch.full((1, 1, 2, 2), 3.0)
    assert split.groups(depth, constant, None).sum() == 0


def test_regression_bins_split_the_normalised_pseudo_label():
    depth = task(DEPTH, 'depth')
    pseudo = torch.tensor([0.0, 0.1, 0.35, 0.5, 0.99, 1.0]).view(1, 1, 1, 6)
    bins = grouping(depth, num_bins=5)
    assert bins.groups(depth, pseudo, None).flatten().tolist() == [
        0, 0, 1, 2, 4, 4
    ]
    assert bins.num_groups(depth) == 5


def test_the_reference_grouping_splits_the_raw_student_strictly():
    """The reference code's regression groups, a type of their own: the
    student's raw map at delta, a score of exactly delta in no group; its
    bins are of the raw score."""
    depth = task(DEPTH, 'depth')
    raw = torch.tensor([[[[0.2, 0.5, 0.7]]]])
    pseudo = torch.zeros_like(raw)  # ignored: the student's map is split
    reference = PSEUDO_GROUPINGS.build(
        dict(type='ReferenceForegroundGrouping'))
    assert reference.groups(depth, pseudo, raw).tolist() == [[[0, -1, 1]]]
    binned = PSEUDO_GROUPINGS.build(
        dict(type='ReferenceForegroundGrouping', num_bins=4))
    assert binned.groups(depth, pseudo, raw * 2).tolist() == [[[1, 3, 3]]]
    # the paper's grouping of the same student map as a pseudo-label
    assert grouping(depth).groups(depth, raw, None).tolist() == [[[0, 1, 1]]]


def test_unit_vectors_split_the_channel_mean():
    normal = task(dict(type='NormalTask'), 'normal')
    pred = normal.activate(torch.tensor([[[[2.0, 0.0]], [[0.0, 0.0]],
                                          [[0.0, 3.0]]]]))
    assert grouping(normal).groups(normal, pred, pred).shape == (1, 1, 2)
    assert normal.output_form.family == 'regression'
    assert normal.output_form.confidence(normal, pred) is None
