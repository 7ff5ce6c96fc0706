"""Broken files are found before the first training iteration, each named."""
import os.path as osp
import shutil

import numpy as np
import pytest
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmhad.datasets.data_check import check_samples, read_npy_header
from mmhad.datasets.transforms.loading import load_image
from mmhad.registry import HOOKS
from tests.conftest import tiny_cfg


@HOOKS.register_module(force=True)
class CountItersHook(Hook):
    iterations = 0

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        CountItersHook.iterations += 1


def _path(root, split, folder, index):
    return osp.join(root, split, folder, f'{index}.npy')


def _edit(path, change):
    np.save(path, change(np.load(path)))


# train has 12 samples, 4 per phase: 6.npy is in phase 2 (depth)
BREAKAGES = {
    'grayscale image': ('train', 'image', 1, lambda a: a[..., 0],
                        'expected an H x W x 3 image'),
    'truncated image': ('train', 'image', 9, None, 'truncated'),
    'differently sized sample': ('train', 'image', 2, lambda a: a[:-2],
                                 'differs from the'),
    'NaN in a later phase': ('train', 'depth', 6,
                             lambda a: np.where(a > 0, np.nan, a),
                             'NaN/inf'),
    'label out of range in val': ('val', 'label', 3, lambda a: a + 40,
                                  'outside the classes'),
    'float 0..255 image': ('val', 'image', 0, lambda a: a * 255,
                           'stored as 0..255'),
    'depth without its channel axis': ('train', 'depth', 5,
                                       lambda a: a[..., 0],
                                       r'array\[\.\.\., None\]'),
}


@pytest.mark.parametrize('breakage', sorted(BREAKAGES))
def test_broken_file_stops_the_run_before_training(breakage, tiny_data_root,
                                                   tmp_path):
    split, folder, index, change, message = BREAKAGES[breakage]
    root = str(tmp_path / 'data')
    shutil.copytree(tiny_data_root, root)
    path = _path(root, split, folder, index)
    if change is None:  # cut the file short
        data = open(path, 'rb').read()
        open(path, 'wb').write(data[:len(data) // 2])
    else:
        _edit(path, change)
    cfg = tiny_cfg('configs/baselines/finetune_r18_synthetic.py', root,
                   tmp_path / 'work')
    cfg.custom_hooks.append(dict(type='CountItersHook'))
    CountItersHook.iterations = 0
    with pytest.raises(ValueError, match=message) as info:
        Runner.from_cfg(cfg).train()
    assert path in str(info.value)
    assert CountItersHook.iterations == 0


def test_uint8_images_are_divided_by_255(tmp_path):
    image = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 10
    np.save(tmp_path / 'u8.npy', image)
    assert np.allclose(load_image(str(tmp_path / 'u8.npy')), image / 255)


def test_header_check_reads_no_data_and_finds_truncation(tmp_path):
    np.save(tmp_path / 'a.npy', np.zeros((4, 5, 3), np.float32))
    assert read_npy_header(str(tmp_path / 'a.npy')) == (
        (4, 5, 3), np.dtype('float32'))
    np.save(tmp_path / 'o.npy', np.array([{}], dtype=object))
    with pytest.raises(ValueError, match='pickled'):
        read_npy_header(str(tmp_path / 'o.npy'))
    (tmp_path / 't.npy').write_bytes(b'not numpy')
    with pytest.raises(ValueError, match='not a .npy array'):
        read_npy_header(str(tmp_path / 't.npy'))


def test_every_problem_is_listed_once_with_its_file(tiny_data_root, tmp_path):
    from mmhad.tasks import DepthTask, SemanticTask
    root = str(tmp_path / 'data')
    shutil.copytree(tiny_data_root, root)
    bad = [_path(root, 'train', 'label', i) for i in (0, 4)]
    for path in bad:
        _edit(path, lambda a: a + 0.5)  # fractional class ids
    samples = [(dict(img_path=_path(root, 'train', 'image', i),
                     semantic_path=_path(root, 'train', 'label', i),
                     depth_path=_path(root, 'train', 'depth', i)),
                ['semantic', 'depth']) for i in range(6)]
    tasks = dict(semantic=SemanticTask('semantic', num_classes=7),
                 depth=DepthTask('depth'))
    check_samples('train', samples, tasks, values=False)  # headers are fine
    with pytest.raises(ValueError, match='2 bad file') as info:
        check_samples('train', samples, tasks, values=True)
    assert all(str(info.value).count(path) == 1 for path in bad)
    assert 'whole class ids' in str(info.value)


def test_with_the_check_off_a_bad_label_is_named_when_its_batch_comes(
        tiny_data_root, tmp_path):
    root = str(tmp_path / 'data')
    shutil.copytree(tiny_data_root, root)
    path = _path(root, 'train', 'label', 2)
    _edit(path, lambda a: a + 40)
    cfg = tiny_cfg('configs/baselines/finetune_r18_synthetic.py', root,
                   tmp_path / 'work', check_data='off')
    with pytest.raises(ValueError, match='outside the classes') as info:
        Runner.from_cfg(cfg).train()
    assert f'in [{path!r}]' in str(info.value)
