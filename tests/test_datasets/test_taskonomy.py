"""Taskonomy as its release and download tool put it on disk, through the
configs."""
import os
import shutil

import numpy as np
import pytest
import torch
from mmengine.config import Config
from PIL import Image

from mmhad.datasets import TaskonomyDataset
from mmhad.datasets.taskonomy import GEOMETRY_TASKS, TASKONOMY_SPLITS
from mmhad.registry import DENSE_TASKS
from tests.conftest import REPO_ROOT
from tests.layouts import (TASKONOMY_DOMAINS, TASKONOMY_NO_GEOMETRY,
                           shortened_run, write_taskonomy)

TEN = ['segment_semantic', 'depth_zbuffer', 'normal', 'depth_euclidean',
       'edge_texture', 'edge_occlusion', 'keypoints2d', 'keypoints3d',
       'reshading', 'principal_curvature']
PIPELINE = [dict(type='LoadTaskonomy'), dict(type='ResizeTo', size=(8, 8)),
            dict(type='PackMultiTaskInputs')]
FINETUNE = 'configs/baselines/finetune_r18_taskonomy.py'
TINY = TASKONOMY_SPLITS['tiny']


@pytest.fixture(scope='module')
def taskonomy_root(tmp_path_factory):
    return write_taskonomy(str(tmp_path_factory.mktemp('taskonomy')))


@pytest.fixture(scope='module')
def omnidata_root(tmp_path_factory):
    """What the omnidata download tool leaves of the tiny split: every
    building but woodbine, in <task>/taskonomy/<building>/."""
    buildings = [b for split in ('train', 'val', 'test')
                 for b in TINY[split] if b != 'woodbine']
    return write_taskonomy(str(tmp_path_factory.mktemp('omnidata')),
                           buildings=buildings, views=1, size=8,
                           layout='omnidata')


def config_tasks():
    """The ten task kinds as the shipped configs build them."""
    cfg = Config.fromfile(os.path.join(
        REPO_ROOT, 'configs/_base_/datasets/taskonomy.py'))
    return {name: DENSE_TASKS.build(task, default_args=dict(name=name))
            for name, task in cfg.taskonomy_tasks.items()}


def test_tiny_split_has_25_5_5_buildings():
    assert [len(TINY[s]) for s in ('train', 'val', 'test')] == [25, 5, 5]
    assert not set(TINY['train']) & (set(TINY['val']) | set(TINY['test']))


def test_decodes_the_release_encodings(taskonomy_root):
    dataset = TaskonomyDataset(taskonomy_root, buildings=['hanson'],
                               tasks=TEN, pipeline=PIPELINE[:1])
    assert len(dataset) == 3
    info = dataset.get_data_info(0)
    results = dataset.pipeline(dict(info))
    stored = {task: np.asarray(Image.open(info[f'{task}_path']))
              for task in TEN}
    # segmentation: 0 uncertain -> -1, 1 background -> 0, 17 -> 16
    assert np.array_equal(results['gt_segment_semantic'],
                          stored['segment_semantic'] - 1.)
    depth = results['gt_depth_zbuffer'][..., 0]
    assert depth[5, 5] == pytest.approx(stored['depth_zbuffer'][5, 5] / 512)
    assert results['gt_normal'][5, 5].tolist() == pytest.approx(
        [-1 / 255, -1 / 255, 1.0])
    assert results['gt_principal_curvature'].shape == (16, 16, 2)
    assert results['gt_reshading'].shape == (16, 16, 1)
    assert np.array_equal(results['gt_keypoints2d'][..., 0],
                          stored['keypoints2d'])


@pytest.mark.parametrize('layout', ['omnidata', 'building_first'])
def test_every_download_layout_is_found_and_reads_the_same_views(
        layout, taskonomy_root, tmp_path):
    root = write_taskonomy(str(tmp_path / layout), layout=layout)
    flat = TaskonomyDataset(taskonomy_root, buildings=['hanson'], tasks=TEN)
    other = TaskonomyDataset(root, buildings=['hanson'], tasks=TEN,
                             pipeline=PIPELINE[:1])
    assert (flat.layout, other.layout) == ('task_first', layout)
    assert len(other) == len(flat) == 3
    for i in range(3):
        ours, theirs = other.get_data_info(i), flat.get_data_info(i)
        assert [os.path.basename(ours[f'{t}_path']) for t in TEN] == \
            [os.path.basename(theirs[f'{t}_path']) for t in TEN]
    results = other.pipeline(other.get_data_info(0))
    assert results['gt_normal'].shape == (16, 16, 3)


def test_omnidata_download_without_woodbine_trains_on_the_rest(
        omnidata_root):
    with pytest.warns(UserWarning, match=r': woodbine \(the omnidata '
                      r'download tool skips woodbine\); the split loses '
                      r'their views, about 1 .* uses the 24 views'):
        train = TaskonomyDataset(omnidata_root, split='train')
    assert train.layout == 'omnidata'
    assert train.missing_buildings == ['woodbine']
    assert len(train) == 24
    assert len(TaskonomyDataset(omnidata_root, split='val')) == 5
    with pytest.raises(FileNotFoundError, match='woodbine'):
        TaskonomyDataset(omnidata_root, split='train',
                         missing_buildings='error')


def test_a_split_with_no_building_or_a_missing_file_is_named(
        taskonomy_root, tmp_path):
    with pytest.raises(FileNotFoundError, match='none of the 5 buildings'):
        TaskonomyDataset(taskonomy_root, split='test')
    with pytest.raises(KeyError, match='huge'):
        TaskonomyDataset(taskonomy_root, size='huge')
    root = str(tmp_path / 'copy')
    shutil.copytree(taskonomy_root, root)
    os.remove(os.path.join(root, 'normal', 'darden',
                           'point_1_view_1_domain_normal.png'))
    with pytest.raises(FileNotFoundError, match='point_1_view_1.*darden'):
        TaskonomyDataset(root, buildings=['darden'], tasks=TEN)


def _no_geometry_counts(samples, tasks):
    """Task -> how many no-geometry pixels its valid mask keeps, and how
    many other pixels."""
    rows, cols = TASKONOMY_NO_GEOMETRY
    hole = torch.zeros(16, 16, dtype=bool)
    hole[rows, cols] = True
    counts = {}
    for name, task in tasks.items():
        gt = torch.stack([s.get(task.gt_key) for s in samples])
        valid = task.valid_mask(gt)
        counts[name] = (int(valid[:, hole].sum()), int(valid[:, ~hole].sum()))
    return counts, hole


def test_no_geometry_pixels_count_for_no_3d_task(taskonomy_root):
    tasks = config_tasks()
    dataset = TaskonomyDataset(
        taskonomy_root, buildings=['hanson'], tasks=TEN,
        pipeline=[dict(type='LoadTaskonomy'),
                  dict(type='PackMultiTaskInputs')])
    samples = [dataset[i]['data_samples'] for i in range(len(dataset))]
    counts, hole = _no_geometry_counts(samples, tasks)
    others = 3 * int((~hole).sum())
    for name in GEOMETRY_TASKS:
        assert counts[name] == (0, others), name
    for name in ('edge_texture', 'keypoints2d'):  # from the RGB: dense
        assert counts[name] == (3 * int(hole.sum()), others), name
    # loss and metrics: what is predicted where there is no geometry
    # changes neither
    generator = torch.Generator().manual_seed(0)
    for name in GEOMETRY_TASKS:
        task = tasks[name]
        gt = torch.stack([s.get(task.gt_key) for s in samples])
        pred = torch.rand(gt.shape, generator=generator).requires_grad_()
        other = pred.detach().clone()
        other[..., hole] += 5
        loss = task.loss(pred, gt)
        loss.backward()
        assert torch.isfinite(pred.grad).all(), name
        assert float(pred.grad[..., hole].abs().sum()) == 0, name
        assert float(task.loss(other, gt)) == pytest.approx(float(loss))
        metrics = task.compute_metrics(task.metric_stats(pred.detach(), gt))
        assert all(np.isfinite(v) for v in metrics.values()), name
        assert task.compute_metrics(task.metric_stats(other, gt)) == \
            pytest.approx(metrics), name


def test_a_phase_without_depth_masks_from_the_depth_file(taskonomy_root):
    dataset = TaskonomyDataset(taskonomy_root, buildings=['hanson'],
                               tasks=TEN, pipeline=PIPELINE[:1])
    info = dataset.get_data_info(0)
    assert info['geometry_source'] == 'depth_zbuffer'
    info['tasks'] = ['reshading', 'edge_texture']  # one phase's labels
    results = dataset.pipeline(info)
    rows, cols = TASKONOMY_NO_GEOMETRY
    assert np.isnan(results['gt_reshading'][rows, cols]).all()
    assert not np.isnan(results['gt_reshading'][5:, 5:]).any()
    assert not np.isnan(results['gt_edge_texture']).any()


def test_without_depth_the_normal_128_marks_no_geometry(tmp_path):
    domains = [d for d in TASKONOMY_DOMAINS if not d.startswith('depth')]
    root = write_taskonomy(str(tmp_path / 'no_depth'), buildings=['hanson'],
                           domains=domains, layout='omnidata')
    tasks = ['normal', 'reshading', 'principal_curvature', 'keypoints2d']
    dataset = TaskonomyDataset(root, buildings=['hanson'], tasks=tasks,
                               pipeline=[dict(type='LoadTaskonomy'),
                                         dict(type='PackMultiTaskInputs')])
    assert dataset.get_data_info(0)['geometry_source'] == 'normal'
    samples = [dataset[i]['data_samples'] for i in range(len(dataset))]
    counts, hole = _no_geometry_counts(
        samples, {n: t for n, t in config_tasks().items() if n in tasks})
    assert counts['normal'][0] == counts['reshading'][0] == \
        counts['principal_curvature'][0] == 0
    assert counts['keypoints2d'][0] == 3 * int(hole.sum())


def test_without_any_geometry_file_a_warning_says_so(tmp_path):
    root = write_taskonomy(str(tmp_path / 'shading'), buildings=['hanson'],
                           domains=['rgb', 'reshading'])
    with pytest.warns(UserWarning, match='3 views .* count as valid for '
                      'reshading'):
        TaskonomyDataset(root, buildings=['hanson'], tasks=['reshading'])


@pytest.mark.parametrize('config', [
    'configs/had/had_r18_taskonomy.py',
    FINETUNE,
    'configs/baselines/lwf_r18_taskonomy.py',
])
def test_shortened_taskonomy_runs_learn_all_ten_tasks(config, taskonomy_root,
                                                      tmp_path):
    phases = shortened_run(config, tmp_path / 'work', {
        loader: dict(data_root=taskonomy_root, buildings=[building],
                     pipeline=PIPELINE)
        for loader, building in (('train_dataloader', 'hanson'),
                                 ('val_dataloader', 'darden'),
                                 ('test_dataloader', 'darden'))},
        split='shared')
    assert [p['task'] for p in phases] == TEN
    final = phases[-1]['metrics']
    assert set(final) == set(TEN)
    assert all(np.isfinite(v) for m in final.values() for v in m.values())


def test_fine_tuning_on_the_omnidata_download_of_the_tiny_split(
        omnidata_root, tmp_path):
    pipeline = [PIPELINE[0], dict(PIPELINE[1], size=(8, 8)), PIPELINE[2]]
    with pytest.warns(UserWarning, match='woodbine'):
        phases = shortened_run(FINETUNE, tmp_path / 'work', {
            loader: dict(data_root=omnidata_root, pipeline=pipeline)
            for loader in ('train_dataloader', 'val_dataloader',
                           'test_dataloader')}, split='shared')
    assert [p['task'] for p in phases] == TEN
    final = phases[-1]['metrics']
    assert all(np.isfinite(v) for m in final.values() for v in m.values())
