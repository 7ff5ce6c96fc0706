"""Output forms are objects in a registry: a kind with a form of its own,
written here as a user would, is grouped by HAD, drawn and saved through
its form object; a form nobody registered is refused when the task is
built; a kind declares its unit."""
import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image

from mmhad.apis import save_predictions
from mmhad.components.pseudo_groups import PseudoGrouping
from mmhad.registry import (DENSE_TASKS, OUTPUT_FORMS, PSEUDO_GROUPINGS,
                            VISUALIZERS)
from mmhad.structures import MultiTaskDataSample
from mmhad.tasks import (DenseRegressionTask, OutputForm, RegressionTask,
                         build_tasks)
from mmhad.visualization import figure_texts, make_view
from tests.conftest import tiny_model

H, W = 32, 40
CYCLIC_CMAP = 'twilight'


def wrapped_degrees(diff: np.ndarray) -> np.ndarray:
    """|angle difference| on the circle, in degrees."""
    return np.degrees(np.abs((diff + np.pi) % (2 * np.pi) - np.pi))


@PSEUDO_GROUPINGS.register_module()
class HalfTurnGrouping(PseudoGrouping):
    """The two half turns the teacher's angle lies in."""

    def groups(self, task, pseudo, student_pred):
        return (pseudo[:, 0] >= 0).long()

    def num_groups(self, task):
        return 2


@OUTPUT_FORMS.register_module(name='angles')
class AngleForm(OutputForm):
    """One angle in radians per pixel: drawn on a cyclic colour map,
    compared on the circle, saved with a PNG of its place on the circle."""

    family = 'regression'
    grouping = dict(type='HalfTurnGrouping')
    error_max = 180.

    def preview(self, values):
        return np.round((values[0] + np.pi) / (2 * np.pi) *
                        255).astype(np.uint8)

    def value_range(self, view):
        return -math.pi, math.pi

    def picture(self, view, value):
        return view.colour_map_picture(value, CYCLIC_CMAP)

    def error(self, view, pred):
        return wrapped_degrees(pred[0] - view.gt[0])

    def caption(self, view, index):
        return f'mean wrapped error {view.mean_error(index):.1f}°'

    def key(self, view):
        low, high = view.value_range
        return view.colour_bar(CYCLIC_CMAP, low, high,
                               f'{view.task.name} ({view.unit})',
                               extend='neither')

    def error_label(self, view):
        return 'wrapped error (°)'


@DENSE_TASKS.register_module()
class AngleTask(RegressionTask):
    """An orientation in [-pi, pi] per pixel, (N, 1, H, W); NaN ground
    truth means unknown. Loss: 1 - cos of the difference."""

    OUTPUT_FORM = 'angles'
    UNIT = 'rad'

    @property
    def out_channels(self) -> int:
        return 1

    def activate(self, logits):
        return math.pi * torch.tanh(logits)

    def valid_mask(self, gt):
        return ~gt[:, 0].isnan()

    def pixel_loss(self, pred, target):
        return 1 - torch.cos(pred.float() -
                             torch.nan_to_num(target.float()))[:, 0]


TASKS = dict(angle=dict(type='AngleTask'),
             semantic=dict(type='SemanticTask', num_classes=3))


def angle_batch(num=2):
    generator = torch.Generator().manual_seed(0)
    inputs = torch.rand(num, 3, H, W, generator=generator)
    samples = []
    for _ in range(num):
        sample = MultiTaskDataSample()
        angle = (torch.rand(1, H, W, generator=generator) * 2 - 1) * math.pi
        angle[:, :4] = float('nan')
        sample.gt_angle = angle
        sample.gt_semantic = torch.randint(0, 3, (H, W),
                                           generator=generator).float()
        samples.append(sample)
    return inputs, samples


def test_the_task_is_built_with_its_form_object():
    task = DENSE_TASKS.build(dict(type='AngleTask', name='angle'))
    assert isinstance(task.output_form, AngleForm)


def test_had_groups_the_new_form_with_the_form_s_grouping():
    model = tiny_model(type='HAD', tasks=TASKS)
    model.begin_phase(1, ['angle'])
    inputs, samples = angle_batch()
    model.end_phase([dict(inputs=list(inputs), data_samples=samples)])
    model.begin_phase(2, ['semantic'])
    losses = model.loss(*angle_batch())
    had, = model.components.values()
    task = model.tasks['angle']
    grouping = had.grouping(task)
    # the form's grouping: HAD's groupings name no regression one
    assert isinstance(grouping, HalfTurnGrouping)
    pseudo = torch.tensor([[[[-0.5, 0.0, 2.0]]]])
    assert grouping.groups(task, pseudo, None).tolist() == [[[0, 1, 1]]]
    # a grouping HAD's config gives the family replaces the form's
    chosen = tiny_model(type='HAD', tasks=TASKS, groupings=dict(
        regression=dict(type='ForegroundGrouping', delta=0.3)))
    had, = chosen.components.values()
    assert had.grouping(task).delta == 0.3
    for term in ('loss_db', 'loss_sg'):
        value, = [v for k, v in losses.items()
                  if term in k and k.endswith('.angle')]
        value = float(value.detach())
        assert math.isfinite(value) and value != 0


def test_the_new_form_is_drawn_by_its_form_object(tmp_path):
    visualizer = VISUALIZERS.build(dict(
        type='MultiTaskVisualizer', name='output_form_vis',
        save_dir=str(tmp_path)))
    visualizer.dataset_meta = dict(tasks=TASKS)
    _, (sample, _) = angle_batch()
    # 0.1 rad off everywhere, and across the -pi / pi seam
    sample.pred_angle = sample.gt_angle + 0.1
    sample.gt_angle[0, 5, 0], sample.pred_angle[0, 5, 0] = math.pi - 0.05, \
        -math.pi + 0.05
    visualizer.panel(np.zeros((H, W, 3)), sample)
    texts = figure_texts(visualizer.last_figure)
    # the unit comes from the kind; the wrapped error (5.7°) on the circle
    assert 'angle (rad)' in texts and 'wrapped error (°)' in texts
    assert 'mean wrapped error 5.7°' in texts
    view = visualizer.task_view(visualizer.tasks['angle'], sample.gt_angle,
                                [sample.pred_angle])
    assert view.value_range == (-math.pi, math.pi)
    assert view.errors[0][5, 0] == pytest.approx(np.degrees(0.1), rel=1e-3)
    # the cyclic colour map: -pi and pi look alike
    ends = view.picture(np.array([[[-math.pi, math.pi]]]))[0]
    assert np.abs(ends[0].astype(int) - ends[1]).max() <= 2


def test_the_new_form_is_saved_by_its_form_object(tmp_path):
    # what save_predictions reads of a model
    model = SimpleNamespace(task_names=['angle'], tasks=build_tasks(TASKS))
    sample = MultiTaskDataSample()
    sample.pred_angle = torch.tensor([[[-math.pi, 0., math.pi]]])
    files = save_predictions(sample, model, str(tmp_path), 'x')
    assert sorted(f.split('/')[-1] for f in files) == ['x_angle.npy',
                                                       'x_angle.png']
    assert np.asarray(Image.open(tmp_path / 'x_angle.png')).tolist() == [
        [0, 128, 255]]


def test_an_unregistered_form_is_refused_when_the_task_is_built():

    class ShapeTask(AngleTask):
        OUTPUT_FORM = 'no_such_form'

    for build in (lambda: ShapeTask('shape'),
                  lambda: build_tasks(dict(shape=dict(type=ShapeTask)))):
        with pytest.raises(KeyError) as error:
            build()
        message = str(error.value)
        for named in ("'shape'", 'ShapeTask', "'no_such_form'", "'angles'",
                      "'classes'", 'OUTPUT_FORMS'):
            assert named in message, named


def test_the_unit_comes_from_the_kind():
    tasks = build_tasks(dict(depth=dict(type='DepthTask'),
                             normal=dict(type='NormalTask')))
    assert make_view(tasks['depth']).unit == 'm'
    assert make_view(tasks['normal']).unit == ''
    # a dataset's or the visualizer's units still win, the latter first
    meta = dict(units=dict(depth='mm'))
    assert make_view(tasks['depth'], meta=meta).unit == 'mm'
    assert make_view(tasks['depth'], meta=meta,
                     units=dict(depth='cm')).unit == 'cm'
    # the kind, not its class name: a disparity kind that happens to be
    # called DepthTask has no unit unless it declares one
    disparity = type('DepthTask', (DenseRegressionTask, ), {})('disparity')
    assert make_view(disparity).unit == ''
