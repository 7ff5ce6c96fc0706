"""The teacher cache gives what the teacher gives, and refuses pipelines
where it would not."""
import json
import os.path as osp

import pytest
from mmengine.runner import Runner

from tests.conftest import tiny_cfg


def run(data_root, work_dir, method, cache, pipeline=None):
    cfg = tiny_cfg(f'configs/{method}', data_root, work_dir, max_epochs=2)
    cfg.train_dataloader.batch_size = 2
    if cache is not None:
        cfg.model.teacher_cache = dict(dtype=cache)
    if pipeline is not None:
        cfg.train_dataloader.dataset.pipeline = pipeline
    runner = Runner.from_cfg(cfg)
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
    assert set(next(iter(cache.outputs.values()))) == {'semantic', 'depth'}
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
