import os
import os.path as osp
import shutil

import numpy as np
import pytest

from mmhad.datasets import (MultiTaskNpyDataset, NYUv2Dataset, PhaseSubset,
                            split_phases)

PIPELINE = [dict(type='LoadMultiTaskNpy'), dict(type='PackMultiTaskInputs')]


def write_layout(root, n=3, height=4, width=5, split='train'):
    rng = np.random.default_rng(0)
    for i in range(n):
        arrays = dict(
            image=rng.random((height, width, 3), dtype=np.float32),
            label=rng.integers(-1, 13, (height, width)).astype(np.float32),
            depth=rng.random((height, width, 1), dtype=np.float32),
            normal=rng.uniform(-1, 1, (height, width, 3)).astype(np.float32))
        for folder, array in arrays.items():
            os.makedirs(osp.join(root, split, folder), exist_ok=True)
            np.save(osp.join(root, split, folder, f'{i}.npy'), array)
    return root


def test_reads_the_nyuv2_layout_in_numeric_index_order(tmp_path):
    root = write_layout(str(tmp_path), n=12)
    dataset = NYUv2Dataset(data_root=root, split='train', pipeline=PIPELINE)
    assert len(dataset) == 12
    paths = [dataset.get_data_info(i)['img_path'] for i in range(12)]
    assert [osp.basename(p) for p in paths] == [f'{i}.npy' for i in range(12)]
    assert len(dataset.metainfo['classes']) == 13
    sample = dataset[10]
    assert sample['inputs'].shape == (3, 4, 5)
    data_sample = sample['data_samples']
    assert data_sample.gt_semantic.shape == (4, 5)
    assert data_sample.gt_depth.shape == (1, 4, 5)
    assert data_sample.gt_normal.shape == (3, 4, 5)
    expected = np.load(osp.join(root, 'train', 'depth', '10.npy'))
    assert np.allclose(data_sample.gt_depth.numpy()[0], expected[..., 0])


def test_phase_subset_loads_only_the_phase_task(tmp_path):
    root = write_layout(str(tmp_path), n=6)
    dataset = MultiTaskNpyDataset(data_root=root, pipeline=PIPELINE)
    subset = PhaseSubset(dataset, [3, 4], ['depth'])
    assert len(subset) == 2
    sample = subset[1]['data_samples']
    assert 'gt_depth' in sample and 'gt_semantic' not in sample
    assert sample.img_path.endswith(osp.join('image', '4.npy'))


def test_missing_folder_names_the_path_and_the_layout(tmp_path):
    with pytest.raises(FileNotFoundError, match='expected the layout'):
        MultiTaskNpyDataset(data_root=str(tmp_path / 'nowhere'))


def test_annotation_folder_that_does_not_match_the_images(tmp_path):
    root = write_layout(str(tmp_path), n=3)
    os.remove(osp.join(root, 'train', 'depth', '1.npy'))
    with pytest.raises(FileNotFoundError, match=r"depth.*missing \['1'\]"):
        MultiTaskNpyDataset(data_root=root)


def test_empty_image_folder(tmp_path):
    root = write_layout(str(tmp_path), n=1)
    shutil.rmtree(osp.join(root, 'train', 'image'))
    os.makedirs(osp.join(root, 'train', 'image'))
    with pytest.raises(FileNotFoundError, match='no .npy images'):
        MultiTaskNpyDataset(data_root=root)


def test_corrupt_file_and_nan_values_name_the_file(tmp_path):
    root = write_layout(str(tmp_path), n=2)
    dataset = MultiTaskNpyDataset(data_root=root, pipeline=PIPELINE)
    bad = osp.join(root, 'train', 'depth', '0.npy')
    with open(bad, 'wb') as f:
        f.write(b'not an npy file')
    with pytest.raises(ValueError, match='0.npy'):
        dataset[0]
    depth = np.ones((4, 5, 1), np.float32)
    depth[0, 0, 0] = np.nan
    np.save(osp.join(root, 'train', 'depth', '1.npy'), depth)
    with pytest.raises(ValueError, match='1.npy.*NaN'):
        dataset[1]


def test_annotation_size_mismatch_names_both_files(tmp_path):
    root = write_layout(str(tmp_path), n=1)
    np.save(osp.join(root, 'train', 'label', '0.npy'), np.zeros((3, 3)))
    dataset = MultiTaskNpyDataset(data_root=root, pipeline=PIPELINE)
    with pytest.raises(ValueError, match='label.*0.npy.*does not match'):
        dataset[0]


def test_unknown_task_needs_a_folder():
    with pytest.raises(KeyError, match='edge'):
        MultiTaskNpyDataset(data_root='x', tasks=('semantic', 'edge'))


def test_reference_split_is_disjoint_contiguous_and_equal():
    phases = split_phases(795, 3)
    assert [len(p) for p in phases] == [265, 265, 265]
    assert phases[0][0] == 0 and phases[1][0] == 265 and phases[2][-1] == 794
    assert all((np.diff(p) == 1).all() for p in phases)
    union = np.concatenate(phases)
    assert len(np.unique(union)) == len(union)


def test_shuffled_split_is_disjoint_and_seeded():
    a = split_phases(10, 3, 'shuffled', seed=1)
    b = split_phases(10, 3, 'shuffled', seed=1)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    union = np.concatenate(a)
    assert len(np.unique(union)) == 9 and len(a[0]) == 3
    shared = split_phases(4, 2, 'shared')
    assert np.array_equal(shared[0], shared[1])


def test_split_errors():
    with pytest.raises(ValueError, match='non-empty'):
        split_phases(2, 3)
    with pytest.raises(ValueError, match='unknown split mode'):
        split_phases(9, 3, 'random')
