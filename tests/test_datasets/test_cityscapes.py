"""Cityscapes, as the multi-task release ships it, through the configs."""
import os.path as osp
import sys

import numpy as np
import pytest

from mmhad.datasets import CityscapesDataset
from tests.conftest import REPO_ROOT
from tests.layouts import shortened_run, write_cityscapes

PIPELINE = [dict(type='LoadMultiTaskNpy'), dict(type='PackMultiTaskInputs')]


@pytest.mark.parametrize('num_classes,single_label,folder', [
    (7, False, 'label_7'), (19, False, 'label_19'), (7, True, 'label')])
def test_reads_the_label_folder_of_the_class_count(tmp_path, num_classes,
                                                   single_label, folder):
    root = write_cityscapes(str(tmp_path), single_label=single_label)
    dataset = CityscapesDataset(root, num_classes=num_classes,
                                pipeline=PIPELINE)
    assert len(dataset) == 8
    assert len(dataset.metainfo['classes']) == num_classes
    sample = dataset[3]['data_samples']
    expected = np.load(osp.join(root, 'train', folder, '3.npy'))
    assert np.array_equal(sample.gt_semantic.numpy(), expected)
    assert sample.gt_depth.shape == (1, 16, 32)
    assert float(sample.gt_depth.max()) == pytest.approx(0.49)


def test_19_classes_need_label_19(tmp_path):
    root = write_cityscapes(str(tmp_path), single_label=True)
    with pytest.raises(FileNotFoundError, match='label_19'):
        CityscapesDataset(root, num_classes=19, pipeline=PIPELINE)
    with pytest.raises(ValueError, match='7 or 19'):
        CityscapesDataset(root, num_classes=8)


@pytest.mark.parametrize('config', [
    'configs/had/had_r18_cityscapes.py',
    'configs/baselines/finetune_r18_cityscapes.py',
    'configs/baselines/lwf_r18_cityscapes.py',
])
def test_shortened_cityscapes_runs_learn_both_tasks(config, tmp_path):
    root = write_cityscapes(str(tmp_path / 'cityscapes'))
    phases = shortened_run(config, tmp_path / 'work', {
        loader: dict(data_root=root)
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader')})
    assert [p['task'] for p in phases] == ['semantic', 'depth']
    final = phases[-1]['metrics']
    assert set(final) == {'semantic', 'depth'}
    assert all(np.isfinite(v) for m in final.values() for v in m.values())


def test_check_dataset_tool_counts_files_and_names_bad_ones(tmp_path, capsys):
    sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'dataset_converters'))
    from check_dataset import main
    root = write_cityscapes(str(tmp_path))
    config = osp.join(REPO_ROOT, 'configs/had/had_r18_cityscapes.py')
    assert main([config, '--data-root', root]) == 0
    assert 'train_dataloader: 8 samples; annotation files: semantic 8, ' \
        'depth 8' in capsys.readouterr().out
    bad = osp.join(root, 'val', 'label_7', '2.npy')
    np.save(bad, np.load(bad) + 10)
    assert main([config, '--data-root', root]) == 1
    out = capsys.readouterr().out
    assert bad in out and 'outside the classes' in out
