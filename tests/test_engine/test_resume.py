"""A run killed inside its second phase and resumed ends exactly where an
uninterrupted run ends."""
import json
import os.path as osp
import shutil

import pytest
import torch
from mmengine.hooks import Hook

from mmhad.engine import LifelongRunner
from mmhad.engine.work_dir import (find_resume_checkpoint,
                                   is_readable_checkpoint)
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


@HOOKS.register_module(force=True)
class KillAfterEpochHook(Hook):
    """Dies after the epoch's checkpoint is written, before the loop's
    end-of-phase work (evaluation, results, phase checkpoint)."""

    priority = 'LOWEST'  # after CheckpointHook

    def __init__(self, epoch):
        self.epoch = epoch

    def after_train_epoch(self, runner):
        if runner.epoch + 1 == self.epoch:
            raise Killed(f'killed after epoch {self.epoch}')


def config(data_root, work_dir, kill_at=None, resume=False,
           kill_after_epoch=None, checkpoint_interval=1):
    cfg = tiny_cfg('configs/had/had_r18_synthetic.py', data_root, work_dir,
                   max_epochs=2)
    cfg.train_dataloader.batch_size = 2  # 2 iterations per epoch
    cfg.default_hooks.checkpoint = dict(
        type='CheckpointHook', interval=checkpoint_interval,
        max_keep_ckpts=2)
    # dropout in the heads makes the RNG state matter
    if kill_at is not None:
        cfg.custom_hooks.append(dict(type='KillAtIterHook',
                                     iteration=kill_at))
    if kill_after_epoch is not None:
        cfg.custom_hooks.append(dict(type='KillAfterEpochHook',
                                     epoch=kill_after_epoch))
    cfg.resume = resume
    return cfg


def final_metrics(work_dir):
    with open(osp.join(work_dir, 'lifelong_results.json')) as f:
        results = json.load(f)
    return results['phases']


def assert_same_phases(expected, got):
    assert [p['phase'] for p in got] == [p['phase'] for p in expected]
    for want, have in zip(expected, got):
        for task, values in want['metrics'].items():
            for name, value in values.items():
                assert have['metrics'][task][name] == pytest.approx(
                    value, abs=1e-5), (want['phase'], task, name)


@pytest.fixture(scope='module')
def uninterrupted(tiny_data_root, tmp_path_factory):
    """Work dir of a run that was never killed."""
    work = tmp_path_factory.mktemp('uninterrupted')
    LifelongRunner.from_cfg(config(tiny_data_root, work)).train()
    return work


def test_killed_in_phase_2_and_resumed_matches_uninterrupted(
        tiny_data_root, tmp_path):
    LifelongRunner.from_cfg(config(tiny_data_root, tmp_path / 'ref')).train()

    work = tmp_path / 'killed'
    # global iteration 6 = phase 2 (epochs 3-4), epoch 4, first iteration
    with pytest.raises(Killed):
        LifelongRunner.from_cfg(
            config(tiny_data_root, work, kill_at=6)).train()
    assert osp.isfile(work / 'epoch_3.pth')
    assert not osp.isfile(work / 'phase_2_depth.pth')
    LifelongRunner.from_cfg(config(tiny_data_root, work, resume=True)).train()

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
    LifelongRunner.from_cfg(config(tiny_data_root, first)).train()
    second = tmp_path / 'second'
    cfg = config(tiny_data_root, second, resume=True)
    cfg.load_from = str(first / 'phase_1_semantic.pth')
    runner = LifelongRunner.from_cfg(cfg)
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


def test_kills_at_phase_boundaries_lose_no_phase(tiny_data_root, tmp_path,
                                                 uninterrupted):
    work = tmp_path / 'killed'
    # after phase 1's last epoch checkpoint, before its end of phase
    with pytest.raises(Killed):
        LifelongRunner.from_cfg(config(tiny_data_root, work,
                                       kill_after_epoch=2)).train()
    assert osp.isfile(work / 'epoch_2.pth')
    assert not osp.isfile(work / 'phase_1_semantic.pth')
    # resumed, then killed the same way at the end of phase 2, and while
    # its phase checkpoint was written (a file cut short)
    with pytest.raises(Killed):
        LifelongRunner.from_cfg(config(tiny_data_root, work, resume=True,
                                       kill_after_epoch=4)).train()
    assert [p['phase'] for p in final_metrics(work)] == [1]
    full = (uninterrupted / 'phase_2_depth.pth').read_bytes()
    (work / 'phase_2_depth.pth').write_bytes(full[:len(full) // 2])
    # resumed and killed inside phase 3: its teacher is phase 2's checkpoint
    with pytest.raises(Killed):
        LifelongRunner.from_cfg(config(tiny_data_root, work, resume=True,
                                       kill_at=9)).train()
    LifelongRunner.from_cfg(config(tiny_data_root, work, resume=True)).train()
    assert_same_phases(final_metrics(uninterrupted), final_metrics(work))
    for name in ('phase_1_semantic.pth', 'phase_2_depth.pth',
                 'phase_3_normal.pth'):
        assert is_readable_checkpoint(str(work / name)), name


def test_resume_without_epoch_checkpoints_starts_after_the_last_phase(
        tiny_data_root, tmp_path, uninterrupted):
    work = tmp_path / 'rare'
    # no epoch checkpoint is ever saved; killed inside phase 2
    with pytest.raises(Killed):
        LifelongRunner.from_cfg(config(tiny_data_root, work, kill_at=6,
                                       checkpoint_interval=1000)).train()
    assert not list(work.glob('epoch_*.pth'))
    runner = LifelongRunner.from_cfg(config(tiny_data_root, work, resume=True,
                                            checkpoint_interval=1000))
    runner.train()
    assert runner.load_from == str(work / 'phase_1_semantic.pth')
    assert_same_phases(final_metrics(uninterrupted), final_metrics(work))


def test_a_copied_work_dir_resumes_from_its_own_files(tiny_data_root,
                                                      tmp_path):
    work = tmp_path / 'original'
    with pytest.raises(Killed):
        LifelongRunner.from_cfg(
            config(tiny_data_root, work, kill_at=6)).train()
    copy = tmp_path / 'copy'
    shutil.copytree(work, copy)
    shutil.rmtree(work)  # last_checkpoint in the copy names a gone file
    runner = LifelongRunner.from_cfg(config(tiny_data_root, copy, resume=True))
    runner.train()
    assert runner.load_from == str(copy / 'epoch_3.pth')
    assert [p['phase'] for p in final_metrics(copy)] == [1, 2, 3]


def test_resume_on_a_finished_run_trains_nothing(tiny_data_root, tmp_path,
                                                 uninterrupted):
    work = tmp_path / 'finished'
    shutil.copytree(uninterrupted, work)
    before = (work / 'lifelong_results.json').read_text()
    runner = LifelongRunner.from_cfg(config(tiny_data_root, work, resume=True))
    runner.train()
    assert runner.train_loop.iter == runner.train_loop.max_iters
    assert (work / 'lifelong_results.json').read_text() == before
    assert runner.load_from == str(work / 'phase_3_normal.pth')


def test_find_resume_checkpoint_prefers_the_latest_readable(tmp_path):
    for name in ('epoch_3.pth', 'phase_1_semantic.pth', 'epoch_4.pth',
                 'phase_2_depth.pth'):
        torch.save({'name': name}, tmp_path / name)
    # epoch 4 = the end of phase 2 (2 epochs per phase): the phase wins
    assert find_resume_checkpoint(str(tmp_path), 2) == str(
        tmp_path / 'phase_2_depth.pth')
    (tmp_path / 'phase_2_depth.pth').write_bytes(b'cut short')
    assert find_resume_checkpoint(str(tmp_path), 2) == str(
        tmp_path / 'epoch_4.pth')
    assert find_resume_checkpoint(str(tmp_path / 'none'), 2) is None
