"""Taskonomy, as the release ships it, through the configs."""
import numpy as np
import pytest

from mmhad.datasets import TaskonomyDataset
from mmhad.datasets.taskonomy import TASKONOMY_SPLITS
from tests.layouts import shortened_run, write_taskonomy

TEN = ['segment_semantic', 'depth_zbuffer', 'normal', 'depth_euclidean',
       'edge_texture', 'edge_occlusion', 'keypoints2d', 'keypoints3d',
       'reshading', 'principal_curvature']
PIPELINE = [dict(type='LoadTaskonomy'), dict(type='ResizeTo', size=(8, 8)),
            dict(type='PackMultiTaskInputs')]


@pytest.fixture(scope='module')
def taskonomy_root(tmp_path_factory):
    return write_taskonomy(str(tmp_path_factory.mktemp('taskonomy')))


def test_tiny_split_has_25_5_5_buildings():
    tiny = TASKONOMY_SPLITS['tiny']
    assert [len(tiny[s]) for s in ('train', 'val', 'test')] == [25, 5, 5]
    assert not set(tiny['train']) & (set(tiny['val']) | set(tiny['test']))


def test_decodes_the_release_encodings(taskonomy_root):
    dataset = TaskonomyDataset(taskonomy_root, buildings=['hanson'],
                               tasks=TEN, pipeline=[dict(type='LoadTaskonomy')])
    assert len(dataset) == 3
    info = dataset.get_data_info(0)
    results = dataset.pipeline(dict(info))
    stored = {}
    from PIL import Image
    for task in TEN:
        stored[task] = np.asarray(Image.open(info[f'{task}_path']))
    # segmentation: 0 uncertain -> -1, 1 background -> 0, 17 -> 16
    assert np.array_equal(results['gt_segment_semantic'],
                          stored['segment_semantic'] - 1.)
    depth = results['gt_depth_zbuffer'][..., 0]
    assert depth[0, 0] == 0  # 65535: invalid
    assert depth[1, 1] == pytest.approx(stored['depth_zbuffer'][1, 1] / 512)
    assert results['gt_normal'][0, 0].tolist() == pytest.approx(
        [-1 / 255, -1 / 255, 1.0])
    assert results['gt_principal_curvature'].shape == (16, 16, 2)
    assert results['gt_reshading'].shape == (16, 16, 1)
    assert results['gt_keypoints2d'][0, 0, 0] == 65535


def test_missing_building_or_task_file_is_named(taskonomy_root, tmp_path):
    with pytest.raises(FileNotFoundError, match='merom'):
        TaskonomyDataset(taskonomy_root, split='train')  # tiny: 25 buildings
    with pytest.raises(KeyError, match='huge'):
        TaskonomyDataset(taskonomy_root, size='huge')


@pytest.mark.parametrize('config', [
    'configs/had/had_r18_taskonomy.py',
    'configs/baselines/finetune_r18_taskonomy.py',
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


def test_building_first_layout_reads_the_same_views(taskonomy_root,
                                                    tmp_path):
    import os
    import shutil
    root = tmp_path / 'by_building'
    for task in os.listdir(taskonomy_root):
        shutil.copytree(os.path.join(taskonomy_root, task, 'hanson'),
                        root / 'hanson' / task)
    flat = TaskonomyDataset(taskonomy_root, buildings=['hanson'], tasks=TEN)
    nested = TaskonomyDataset(str(root), buildings=['hanson'], tasks=TEN)
    assert len(nested) == len(flat) == 3
    names = [os.path.basename(nested.get_data_info(i)['normal_path'])
             for i in range(3)]
    assert names == [os.path.basename(flat.get_data_info(i)['normal_path'])
                     for i in range(3)]
