"""The teacher cache gives what the teacher gives, and refuses pipelines
where it would not."""
import json
import os.path as osp

import pytest
import torch

from mmhad.algorithms.teacher_cache import TeacherCache
from mmhad.engine import LifelongRunner
from tests.conftest import tiny_cfg


def run(data_root, work_dir, method, cache, pipeline=None):
    cfg = tiny_cfg(f'configs/{method}', data_root, work_dir, max_epochs=2)
    cfg.train_dataloader.batch_size = 2
    if cache is not None:
        cfg.model.teacher_cache = dict(dtype=cache)
    if pipeline is not None:
        cfg.train_dataloader.dataset.pipeline = pipeline
    runner = LifelongRunner.from_cfg(cfg)
    runner.train()
    with open(osp.join(work_dir, 'lifelong_results.json')) as f:
        return runner, json.load(f)['phases']


@pytest.mark.parametrize('method', ['had/had_r18_synthetic.py',
                                    'baselines/lwf_r18_synthetic.py'])
def test_float32_cache_gives_the_uncached_run(method, tiny_data_root,
                                              tmp_path):
    _, plain = run(tiny_data_root, tmp_path / 'plain', method, None)
    runner, cached = run(tiny_data_root, tmp_path / 'cached', method,
                         'float32')
    # the cache held phase 3's images (4 of 12), for both old tasks
    cache = runner.model.teacher_cache
    assert len(cache) == 4
    row = next(iter(cache.outputs.values()))
    assert set(row) == {'semantic', 'depth'}
    # HAD reads only the argmax of segmentation: one byte a pixel
    assert row['semantic'].dtype == (torch.uint8 if method.startswith('had')
                                     else torch.float32)
    assert row['depth'].dtype == torch.float32
    for want, have in zip(plain, cached):
        for task, values in want['metrics'].items():
            for name, value in values.items():
                assert have['metrics'][task][name] == pytest.approx(
                    value, abs=1e-5), (want['phase'], task, name)


def test_cache_refuses_random_transforms(tiny_data_root, tmp_path):
    pipeline = [dict(type='LoadMultiTaskNpy'),
                dict(type='RandomHorizontalFlip', prob=0.5),
                dict(type='PackMultiTaskInputs')]
    with pytest.raises(ValueError, match='RandomHorizontalFlip'):
        run(tiny_data_root, tmp_path / 'flip', 'had/had_r18_synthetic.py',
            'float32', pipeline)


def test_label_storage_returns_maps_with_the_teachers_pseudo_labels():
    torch.manual_seed(0)
    logits = torch.randn(2, 13, 4, 5).log_softmax(dim=1)
    edges = torch.rand(2, 1, 4, 5)
    depth = torch.rand(2, 1, 4, 5)
    labels = dict(semantic=logits.argmax(dim=1),
                  edge=(edges[:, 0] >= 0.5).float())
    cache = TeacherCache(dtype='float16')
    cache.add([7, 3], dict(semantic=logits, edge=edges, depth=depth), labels)
    assert cache.outputs[7]['semantic'].dtype == torch.uint8
    got = cache.get([3, 7], ['semantic', 'edge', 'depth'], 'cpu')
    assert got['semantic'].shape == logits.shape
    assert torch.equal(got['semantic'].argmax(dim=1),
                       labels['semantic'].flip(0))
    assert torch.equal(got['edge'][:, 0], labels['edge'].flip(0))
    assert torch.allclose(got['depth'], depth.flip(0), atol=1e-3)
    # 2 images x 20 pixels: 1 + 1 byte (labels) + 2 bytes (fp16 depth)
    assert cache.nbytes() == 2 * 20 * (1 + 1 + 2)
    full = TeacherCache(dtype='float16', compact_labels=False)
    full.add([7, 3], dict(semantic=logits, edge=edges, depth=depth), labels)
    assert full.nbytes() == 2 * 20 * 2 * (13 + 1 + 1)
