"""Broken files are found before the first training iteration, each named."""
import glob
import os.path as osp
import shutil

import numpy as np
import pytest
from mmengine.hooks import Hook

from mmhad.datasets.data_check import check_samples, read_npy_header
from mmhad.datasets.transforms.loading import load_image
from mmhad.engine import LifelongRunner
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
    'grayscale image':
    ('train', 'image', 1, lambda a: a[..., 0], 'expected an H x W x 3 image'),
    'truncated image': ('train', 'image', 9, None, 'truncated'),
    'differently sized sample':
    ('train', 'image', 2, lambda a: a[:-2], 'differs from the'),
    'NaN in a later phase':
    ('train', 'depth', 6, lambda a: np.where(a > 0, np.nan, a), 'NaN/inf'),
    'label out of range in val': ('val', 'label', 3, lambda a: a + 40,
                                  'outside the classes'),
    'float 0..255 image': ('val', 'image', 0, lambda a: a * 255,
                           'stored as 0..255'),
    'depth without its channel axis':
    ('train', 'depth', 5, lambda a: a[..., 0], r'array\[\.\.\., None\]'),
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
        LifelongRunner.from_cfg(cfg).train()
    assert path in str(info.value)
    assert CountItersHook.iterations == 0


def test_uint8_images_are_divided_by_255(tmp_path):
    image = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 10
    np.save(tmp_path / 'u8.npy', image)
    assert np.allclose(load_image(str(tmp_path / 'u8.npy')), image / 255)


def test_header_check_reads_no_data_and_finds_truncation(tmp_path):
    np.save(tmp_path / 'a.npy', np.zeros((4, 5, 3), np.float32))
    assert read_npy_header(str(tmp_path / 'a.npy')) == ((4, 5, 3),
                                                        np.dtype('float32'))
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
    samples = [(dict(
        img_path=_path(root, 'train', 'image', i),
        semantic_path=_path(root, 'train', 'label', i),
        depth_path=_path(root, 'train', 'depth', i)), ['semantic', 'depth'])
               for i in range(6)]
    tasks = dict(
        semantic=SemanticTask('semantic', num_classes=7),
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
    cfg = tiny_cfg(
        'configs/baselines/finetune_r18_synthetic.py',
        root,
        tmp_path / 'work',
        check_data='off')
    with pytest.raises(ValueError, match='outside the classes') as info:
        LifelongRunner.from_cfg(cfg).train()
    assert f'in [{path!r}]' in str(info.value)


# Taskonomy's PNGs (the omnidata download's layout): view 0 of darden is in
# the validation split, view 1 of hanson in the training split
PNG_BREAKAGES = {
    'truncated normal': ('darden', 0, 'normal', None, 'truncated'),
    'depth saved as 8 bit': ('hanson', 1, 'depth_zbuffer', lambda a:
                             (a // 256).astype(np.uint8), 'a 16-bit PNG'),
    'reshading of another size': ('darden', 0, 'reshading', lambda a: a[:-2],
                                  r'size \(14, 16\) does not match its image'),
}


def _break_png(path, change):
    from PIL import Image
    if change is None:  # cut the file short
        data = open(path, 'rb').read()
        open(path, 'wb').write(data[:len(data) // 2])
    else:
        Image.fromarray(change(np.asarray(Image.open(path)))).save(path)


@pytest.mark.parametrize('breakage', sorted(PNG_BREAKAGES))
def test_broken_taskonomy_png_stops_the_run_before_training(
        breakage, tmp_path):
    from tests.layouts import shortened_run, write_taskonomy
    building, view, task, change, message = PNG_BREAKAGES[breakage]
    root = write_taskonomy(str(tmp_path / 'data'), layout='omnidata')
    path = osp.join(root, task, 'taskonomy', building,
                    f'point_{view}_view_{view % 2}_domain_{task}.png')
    _break_png(path, change)
    CountItersHook.iterations = 0
    with pytest.raises(ValueError, match=message) as info:
        shortened_run(
            'configs/baselines/finetune_r18_taskonomy.py',
            tmp_path / 'work', {
                loader: dict(data_root=root, buildings=[b])
                for loader, b in (('train_dataloader', 'hanson'),
                                  ('val_dataloader', 'darden'))
            },
            cfg_options=dict(custom_hooks=[dict(type='CountItersHook')]),
            split='shared')
    assert path in str(info.value)
    assert CountItersHook.iterations == 0


def test_png_headers_find_sizes_and_values_find_the_rest(tmp_path):
    from mmhad.datasets import TaskonomyDataset
    from mmhad.datasets.data_check import dataset_samples
    from mmhad.tasks import DenseRegressionTask, NormalTask
    from tests.layouts import write_taskonomy
    root = write_taskonomy(str(tmp_path / 'data'))
    folder = osp.join(root, '{}', 'hanson', 'point_{}_view_{}_domain_{}.png')
    truncated = folder.format('normal', 0, 0, 'normal')
    smaller = folder.format('reshading', 2, 0, 'reshading')
    _break_png(truncated, None)
    _break_png(smaller, lambda a: a[:, :-1])
    dataset = TaskonomyDataset(
        root, buildings=['hanson'], tasks=['normal', 'reshading'])
    samples = dataset_samples(dataset, range(3), ['normal', 'reshading'])
    tasks = dict(
        normal=NormalTask('normal'),
        reshading=DenseRegressionTask('reshading'))
    with pytest.raises(ValueError, match='1 bad file') as info:
        check_samples('train', samples, tasks, values=False)
    assert smaller in str(info.value)
    with pytest.raises(ValueError, match='2 bad file') as info:
        check_samples('train', samples, tasks, values=True)
    assert truncated in str(info.value)


def test_check_dataset_tool_names_layout_missing_buildings_and_bad_files(
        tmp_path, capsys):
    import sys

    from tests.conftest import REPO_ROOT
    from tests.layouts import write_pascal_context, write_taskonomy
    sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'dataset_converters'))
    from check_dataset import main
    root = write_taskonomy(
        str(tmp_path / 'taskonomy'),
        layout='omnidata',
        buildings=('hanson', 'darden'),
        views=1,
        size=8)
    config = osp.join(REPO_ROOT, 'configs/had/had_r18_taskonomy.py')
    with pytest.warns(UserWarning, match='woodbine'):
        assert main([config, '--data-root', root]) == 0
    out = capsys.readouterr().out
    assert 'train_dataloader: layout omnidata (<task>/taskonomy/<building>/)' \
        in out
    assert 'left out: merom' in out and 'woodbine' in out
    # (the per-split 'Data check' line goes to mmengine's logger, whose
    # stream capsys does not see once another test has built it)
    assert 'all files fine' in out
    # PASCAL-Context (.mat and PNG files per sample) is checked through its
    # own loader: fine as written, a corrupt part file named
    pascal = write_pascal_context(str(tmp_path / 'pascal'))
    config = osp.join(REPO_ROOT,
                      'configs/baselines/finetune_r18_pascal-context.py')
    assert main([config, '--data-root', pascal]) == 0
    assert 'all files fine' in capsys.readouterr().out
    part_file = sorted(glob.glob(osp.join(pascal, 'human_parts', '*.mat')))[0]
    with open(part_file, 'wb') as f:
        f.write(b'not a MATLAB file')
    assert main([config, '--data-root', pascal]) == 1
    out = capsys.readouterr().out
    assert 'bad file' in out and osp.basename(part_file)[:-4] in out
