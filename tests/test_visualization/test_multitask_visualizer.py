"""The multi-task picture: a titled row per task (input, ground truth,
prediction, error) with a class legend or a colour bar with the unit."""
import numpy as np
import pytest
import torch
from matplotlib.image import AxesImage

from mmhad.registry import DENSE_TASKS, VISUALIZERS
from mmhad.structures import MultiTaskDataSample
from mmhad.tasks.output_forms import WRONG_RED
from mmhad.visualization import TaskView, figure_texts, render_task
from mmhad.visualization.multitask_visualizer import (INVALID_GREY,
                                                      class_palette)
from tests.conftest import TASKS

#: Every output form, and a regression kind with two channels.
ALL_KINDS = dict(
    TASKS,
    edge=dict(type='EdgeTask'),
    curvature=dict(type='DenseRegressionTask', channels=2))
CLASSES = ('floor', 'wall', 'ceiling', 'bed', 'table', 'cabinet', 'ball')
H, W = 6, 8


def _sample():
    gen = torch.Generator().manual_seed(0)
    sample = MultiTaskDataSample()
    sample.gt_semantic = torch.arange(H * W).view(H, W).float() % 7
    sample.gt_semantic[0, 0] = -1  # ignored
    sample.pred_semantic = sample.gt_semantic.long().clamp(min=0)
    sample.pred_semantic[1, 1] = (sample.pred_semantic[1, 1] + 1) % 7
    depth = torch.rand(1, H, W, generator=gen) + 1
    depth[0, 2, 3] = 0  # no depth there
    sample.gt_depth = depth
    sample.pred_depth = depth + 0.1
    sample.gt_normal = torch.nn.functional.normalize(
        torch.randn(3, H, W, generator=gen), dim=0)
    sample.pred_normal = torch.nn.functional.normalize(
        torch.randn(3, H, W, generator=gen), dim=0)
    sample.gt_edge = (torch.rand(H, W, generator=gen) > 0.5).float()
    sample.pred_edge = torch.rand(1, H, W, generator=gen)
    sample.gt_curvature = torch.randn(2, H, W, generator=gen)
    sample.pred_curvature = torch.randn(2, H, W, generator=gen)
    return sample


def _visualizer(name, tmp_path, **kwargs):
    visualizer = VISUALIZERS.build(dict(
        type='MultiTaskVisualizer', name=name, save_dir=str(tmp_path),
        **kwargs))
    visualizer.dataset_meta = _meta()
    return visualizer


def _meta(**meta):
    """A dataset meta declaring every kind, as a dataset's metainfo."""
    return dict(tasks=ALL_KINDS, **meta)


def test_panel_titles_rows_columns_legend_and_colour_bars(tmp_path):
    from PIL import Image
    visualizer = _visualizer('mt_vis_titles', tmp_path)
    visualizer.dataset_meta = _meta(classes=CLASSES)
    image = np.random.default_rng(0).random((H, W, 3))
    picture = visualizer.add_datasample(
        'sample', image, _sample(), out_file=str(tmp_path / 'p.png'))
    # the whole figure comes back as RGB uint8 and is what was written
    assert picture.dtype == np.uint8 and picture.shape[2] == 3
    assert np.asarray(Image.open(tmp_path / 'p.png')).shape == picture.shape
    texts = figure_texts(visualizer.last_figure)
    for title in ('sample', 'input', 'ground truth', 'prediction', 'error'):
        assert title in texts
    for row in ALL_KINDS:  # a row per task, titled with its name
        assert row in texts
    # the legend names the classes shown, from the dataset meta
    assert set(CLASSES) <= set(texts)
    assert 'no ground truth' in texts  # the ignored pixel, grey
    assert 'right class' in texts and 'wrong class' in texts
    # colour bars with units: depth in metres, its error, normal angles
    assert 'depth (m)' in texts and '|error| (m)' in texts
    assert 'angle error (°)' in texts
    assert 'probability' in texts
    # two regression channels: their mean, said so under the row title
    assert 'mean of 2 channels' in texts
    # metrics of the predictions on this image
    assert 'pixel accuracy 97.9 %' in texts  # 1 wrong of 47 labelled
    assert 'mean |error| 0.1 m' in texts
    assert any(t.startswith('mean angle error') for t in texts)
    # a task without prediction: notes instead of pictures
    sample = _sample()
    del sample.pred_normal
    visualizer.panel(image, sample)
    texts = figure_texts(visualizer.last_figure)
    assert 'no prediction' in texts and 'no error map' in texts


def test_cells_are_upscaled_with_nearest_neighbour_to_200_px(tmp_path):
    visualizer = _visualizer('mt_vis_size', tmp_path)
    visualizer.panel(np.zeros((H, W, 3)), _sample())
    images = visualizer.last_figure.findobj(AxesImage)
    # per row: input, ground truth, prediction, error
    assert len(images) == 4 * 5
    for artist in images:
        array = artist.get_array()
        # 6 px high maps: factor 34, every pixel a 34 x 34 square
        assert array.shape[:2] == (34 * H, 34 * W)
        assert (array[:34, :34] == array[0, 0]).all()
        # each axes is its picture's size: no resampling by matplotlib
        box = artist.axes.get_window_extent()
        assert abs(box.height - 34 * H) <= 1 and abs(box.width - 34 * W) <= 1


def test_without_names_classes_are_numbered_and_palette_comes_from_meta(
        tmp_path):
    visualizer = _visualizer('mt_vis_meta', tmp_path)
    sample = _sample()
    visualizer.panel(np.zeros((H, W, 3)), sample)
    texts = figure_texts(visualizer.last_figure)
    assert 'class 0' in texts and 'class 6' in texts
    # names of another length do not fit the task: numbered still
    visualizer.dataset_meta = _meta(classes=CLASSES[:3])
    visualizer.panel(np.zeros((H, W, 3)), sample)
    assert 'class 6' in figure_texts(visualizer.last_figure)
    # names given to the visualizer win; the dataset's palette colours
    named = _visualizer('mt_vis_named', tmp_path,
                        class_names=dict(semantic=[c.upper()
                                                   for c in CLASSES]))
    named.dataset_meta = _meta(classes=CLASSES,
                               palette=[[i * 30, 0, 0] for i in range(7)])
    named.panel(np.zeros((H, W, 3)), sample)
    assert 'BALL' in figure_texts(named.last_figure)
    view = named.task_view(named.tasks['semantic'], sample.gt_semantic,
                           [sample.pred_semantic])
    assert view.picture(view.gt)[0, 1].tolist() == [30, 0, 0]


def test_predictions_only(tmp_path):
    visualizer = _visualizer('mt_vis_pred', tmp_path)
    visualizer.add_datasample('only', np.zeros((H, W, 3)), _sample(),
                              draw_gt=False, title='predictions of x')
    texts = figure_texts(visualizer.last_figure)
    assert 'predictions of x' in texts and 'prediction' in texts
    assert 'ground truth' not in texts and 'error' not in texts
    assert not any(t.startswith('pixel accuracy') for t in texts)
    # a task with neither ground truth nor prediction has no row
    sample = _sample()
    del sample.pred_normal
    visualizer.add_datasample('only', np.zeros((H, W, 3)), sample,
                              draw_gt=False)
    assert 'normal' not in figure_texts(visualizer.last_figure)


def test_pixels_without_ground_truth_are_grey_in_every_cell():
    sample = _sample()
    tasks = {name: DENSE_TASKS.build(cfg, default_args=dict(name=name))
             for name, cfg in ALL_KINDS.items()}
    depth = TaskView(tasks['depth'], sample.gt_depth, [sample.pred_depth],
                     unit='m')
    for picture in (depth.picture(depth.gt), depth.picture(depth.preds[0]),
                    depth.error_picture(depth.errors[0])):
        assert picture[2, 3].tolist() == list(INVALID_GREY)
        assert picture[0, 0].tolist() != list(INVALID_GREY)
    # ground truth and prediction share the ground truth's range
    assert depth.value_range == pytest.approx(
        (float(sample.gt_depth[sample.gt_depth > 0].min()),
         float(sample.gt_depth.max())))
    semantic = TaskView(tasks['semantic'], sample.gt_semantic,
                        [sample.pred_semantic])
    assert semantic.picture(semantic.gt)[0, 0].tolist() == list(
        INVALID_GREY)
    error = semantic.error_picture(semantic.errors[0])
    assert error[1, 1].tolist() == list(WRONG_RED)  # the one wrong pixel
    assert error[0, 1].tolist() == [255, 255, 255]


def test_two_channel_regression_is_drawn_by_its_mean():
    task = DENSE_TASKS.build(dict(type='DenseRegressionTask', channels=2,
                                  scale=2.0, shift=1.0, name='curvature'))
    stored = torch.rand(2, H, W) * 4
    # predictions live in the normalised space: this one is exact
    pred = (stored - 1.0) / 2.0
    view = TaskView(task, stored, [pred, pred + 1])
    assert view.sublabel == 'mean of 2 channels'
    assert view.picture(view.preds[0]).shape == (H, W, 3)
    assert np.abs(view.errors[0]).max() < 1e-6
    assert view.errors[1] == pytest.approx(np.ones((H, W)))
    assert view.caption(1) == 'mean |error| 1'
    # alone (no ground truth), any channel count draws
    for channels in (1, 2, 5):
        picture = render_task(task, torch.randn(channels, H, W))
        assert picture.shape == (H, W, 3) and picture.dtype == np.uint8


def test_each_output_form_draws_alone():
    for cfg, value in [
        (TASKS['semantic'], torch.randint(0, 7, (H, W))),
        (dict(type='EdgeTask'), torch.rand(1, H, W)),
        (TASKS['depth'], torch.rand(1, H, W)),
        (TASKS['normal'], torch.nn.functional.normalize(
            torch.randn(3, H, W), dim=0)),
    ]:
        task = DENSE_TASKS.build(cfg, default_args=dict(name='t'))
        picture = render_task(task, value)
        assert picture.shape == (H, W, 3) and picture.dtype == np.uint8
    # class colours are distinct and none is the grey of missing labels
    palette = class_palette(40)
    assert len({tuple(c) for c in palette}) == 40
    assert list(INVALID_GREY) not in palette.tolist()


def test_test_py_show_dir_writes_a_picture_per_image(tiny_data_root,
                                                     tmp_path):
    import glob
    import os
    import subprocess
    import sys

    from PIL import Image

    from mmhad.engine import LifelongRunner
    from tests.conftest import REPO_ROOT, tiny_cfg
    work = tmp_path / 'run'
    cfg = tiny_cfg('configs/baselines/finetune_r18_synthetic.py',
                   tiny_data_root, work)
    LifelongRunner.from_cfg(cfg).train()
    config = str(tmp_path / 'cfg.py')
    cfg.dump(config)
    show = tmp_path / 'show'
    subprocess.run([
        sys.executable, os.path.join(REPO_ROOT, 'tools', 'test.py'), config,
        str(work / 'phase_3_normal.pth'), '--show-dir', str(show),
        '--work-dir', str(tmp_path / 'test')
    ], check=True, cwd=REPO_ROOT,
        env=dict(os.environ, OMP_NUM_THREADS='1'))
    pictures = sorted(glob.glob(str(show / '*.png')))
    assert len(pictures) == 6  # the tiny validation split
    height, width, _ = np.asarray(Image.open(pictures[0])).shape
    # three task rows of 32 x 40 maps upscaled to 224 x 280 cells, four
    # columns (input, ground truth, prediction, error)
    assert height > 3 * 224 and width > 4 * 280


def test_hook_sends_validation_pictures_tagged_with_the_phase(
        tiny_data_root, tmp_path):
    import glob

    from mmhad.engine import LifelongRunner
    from tests.conftest import tiny_cfg
    cfg = tiny_cfg('configs/baselines/finetune_r18_synthetic.py',
                   tiny_data_root, tmp_path / 'run')
    cfg.custom_hooks.append(
        dict(type='MultiTaskVisualizationHook', interval=3))
    runner = LifelongRunner.from_cfg(cfg)
    runner.train()
    # LocalVisBackend: vis_image/<tag>_<step>.png; 6 val images, every 3rd
    images = sorted(glob.glob(str(tmp_path / 'run' / '*' / 'vis_data' /
                                  'vis_image' / '*.png')))
    names = [p.split('vis_image/')[1] for p in images]
    assert len(names) == 2 * 3  # 2 images x 3 phases
    assert any(n.startswith('phase1') for n in names)
    assert any(n.startswith('phase3') for n in names)
    hook, = [h for h in runner.hooks
             if type(h).__name__ == 'MultiTaskVisualizationHook']
    texts = figure_texts(hook._own.last_figure)
    assert any(t.startswith('image ') and t.endswith(' after phase 3')
               for t in texts)
    assert 'normal' in texts and 'angle error (°)' in texts
