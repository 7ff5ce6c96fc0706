"""A run killed inside its second phase and resumed ends exactly where an
uninterrupted run ends."""
import json
import os.path as osp

import pytest
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmhad.registry import HOOKS
from tests.conftest import tiny_cfg


class Killed(Exception):
    pass


@HOOKS.register_module(force=True)
class KillAtIterHook(Hook):
    """Dies like a SIGKILL would: mid-epoch, nothing saved on the way out."""

    def __init__(self, iteration):
        self.iteration = iteration

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        if runner.iter == self.iteration:
            raise Killed(f'killed at iteration {runner.iter}')


def config(data_root, work_dir, kill_at=None, resume=False):
    cfg = tiny_cfg('configs/had/had_r18_synthetic.py', data_root, work_dir,
                   max_epochs=2)
    cfg.train_dataloader.batch_size = 2  # 2 iterations per epoch
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=1, max_keep_ckpts=2)
    # dropout in the heads makes the RNG state matter
    if kill_at is not None:
        cfg.custom_hooks.append(dict(type='KillAtIterHook',
                                     iteration=kill_at))
    cfg.resume = resume
    return cfg


def final_metrics(work_dir):
    with open(osp.join(work_dir, 'lifelong_results.json')) as f:
        results = json.load(f)
    return results['phases']


def test_killed_in_phase_2_and_resumed_matches_uninterrupted(
        tiny_data_root, tmp_path):
    Runner.from_cfg(config(tiny_data_root, tmp_path / 'ref')).train()

    work = tmp_path / 'killed'
    # global iteration 6 = phase 2 (epochs 3-4), epoch 4, first iteration
    with pytest.raises(Killed):
        Runner.from_cfg(config(tiny_data_root, work, kill_at=6)).train()
    assert osp.isfile(work / 'epoch_3.pth')
    assert not osp.isfile(work / 'phase_2_depth.pth')
    Runner.from_cfg(config(tiny_data_root, work, resume=True)).train()

    expected, got = final_metrics(tmp_path / 'ref'), final_metrics(work)
    assert [p['phase'] for p in got] == [1, 2, 3]
    for want, have in zip(expected, got):
        for task, values in want['metrics'].items():
            for name, value in values.items():
                assert have['metrics'][task][name] == pytest.approx(
                    value, abs=1e-5), (want['phase'], task, name)


def test_resume_from_a_phase_checkpoint_starts_the_next_phase(
        tiny_data_root, tmp_path):
    first = tmp_path / 'first'
    Runner.from_cfg(config(tiny_data_root, first)).train()
    second = tmp_path / 'second'
    cfg = config(tiny_data_root, second, resume=True)
    cfg.load_from = str(first / 'phase_1_semantic.pth')
    runner = Runner.from_cfg(cfg)
    runner.train()
    phases = final_metrics(second)
    # phase 1 comes from the first run; 2 and 3 were trained again, from
    # the same weights, so they match the first run
    assert phases[0] == final_metrics(first)[0]
    assert [p['phase'] for p in phases] == [1, 2, 3]
    for want, have in zip(final_metrics(first)[1:], phases[1:]):
        assert have['metrics']['depth']['abs_err'] == pytest.approx(
            want['metrics']['depth']['abs_err'], abs=1e-5)
    assert runner.model.teacher.task_names == ['semantic', 'depth']
