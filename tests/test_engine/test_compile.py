"""``model.compile``: one torch.compile of the training forward and losses
per phase, the same results as eager training."""
import json
import os.path as osp

import pytest
import torch
from mmengine.runner import Runner

from tests.conftest import tiny_cfg


def train(data_root, work_dir, compile=None, **cfg_fields):
    cfg = tiny_cfg('configs/had/had_r18_synthetic.py', data_root, work_dir)
    cfg.model.compile = compile
    cfg.update(cfg_fields)
    runner = Runner.from_cfg(cfg)
    runner.train()
    with open(osp.join(str(work_dir), 'lifelong_results.json')) as f:
        return runner, json.load(f)['phases']


def test_compiled_run_compiles_each_phase_and_matches_eager(
        tiny_data_root, tmp_path, monkeypatch):
    _, eager = train(tiny_data_root, tmp_path / 'eager')
    compiled_fns = []

    def eager_compile(fn, **kwargs):
        # dynamo without a C++ compiler ('eager' backend), counted
        compiled_fns.append(kwargs)
        return torch._dynamo.optimize('eager')(fn)

    monkeypatch.setattr(torch, 'compile', eager_compile)
    runner, compiled = train(tiny_data_root, tmp_path / 'compiled',
                             compile=dict(dynamic=False))
    assert compiled_fns == [dict(dynamic=False)] * 3  # once per phase
    assert runner.model.teacher is not None
    assert '_compiled_loss' not in vars(runner.model.teacher)
    assert len(compiled) == len(eager) == 3
    for ours, theirs in zip(compiled, eager):
        for task, metrics in theirs['metrics'].items():
            assert ours['metrics'][task] == pytest.approx(metrics, rel=1e-6)


def test_top_level_compile_is_refused_with_the_alternative(
        tiny_data_root, tmp_path):
    cfg = tiny_cfg('configs/had/had_r18_synthetic.py', tiny_data_root,
                   tmp_path)
    cfg.compile = True
    with pytest.raises(ValueError, match='set model.compile=True'):
        Runner.from_cfg(cfg).train()
