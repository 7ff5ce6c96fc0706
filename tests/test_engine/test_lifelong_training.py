"""A tiny 3-phase lifelong run, end to end through mmengine's Runner."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from mmhad.engine import LifelongRunner
from tests.conftest import REPO_ROOT, tiny_cfg

TASKS = ['semantic', 'depth', 'normal']
METRIC_NAMES = dict(
    semantic={'mIoU', 'pixAcc'},
    depth={'abs_err', 'rel_err'},
    normal={
        'mean_angle', 'median_angle', 'within_11.25', 'within_22.5',
        'within_30'
    })


@pytest.fixture(scope='module')
def had_run(tiny_data_root, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('had_run')
    cfg = tiny_cfg('configs/had/had_r18_synthetic.py', tiny_data_root,
                   work_dir)
    runner = LifelongRunner.from_cfg(cfg)
    runner.train()
    return runner, work_dir


def test_three_phases_write_lifelong_results(had_run):
    _, work_dir = had_run
    with open(osp.join(work_dir, 'lifelong_results.json')) as f:
        results = json.load(f)
    assert results['task_order'] == TASKS
    assert [p['phase'] for p in results['phases']] == [1, 2, 3]
    assert [p['task'] for p in results['phases']] == TASKS
    for i, phase in enumerate(results['phases']):
        assert list(phase['metrics']) == TASKS[:i + 1]
        for task, values in phase['metrics'].items():
            assert set(values) == METRIC_NAMES[task]
            assert all(isinstance(v, float) for v in values.values())


def test_phase_checkpoints_load_with_weights_only(had_run):
    runner, work_dir = had_run
    for phase, task in enumerate(TASKS, 1):
        path = osp.join(work_dir, f'phase_{phase}_{task}.pth')
        ckpt = torch.load(path, map_location='cpu', weights_only=True)
        heads = {k.split('.')[2] for k in ckpt['state_dict']
                 if k.startswith('architecture.heads.')}
        assert heads == set(TASKS[:phase])
        assert ckpt['meta']['epoch'] == phase


def test_every_head_is_in_the_optimizer(had_run):
    runner, _ = had_run
    optimised = {
        id(p)
        for group in runner.optim_wrapper.optimizer.param_groups
        for p in group['params']
    }
    model = runner.model
    for task in TASKS:
        assert all(id(p) in optimised for p in model.heads[task].parameters())


def test_last_teacher_is_the_phase_2_model(had_run):
    runner, work_dir = had_run
    teacher = runner.model.teacher
    assert teacher.task_names == ['semantic', 'depth']
    saved = torch.load(
        osp.join(work_dir, 'phase_2_depth.pth'), weights_only=True)
    for key, value in teacher.state_dict().items():
        assert torch.equal(value, saved['state_dict'][f'architecture.{key}']
                           ), key


def test_phase_split_gives_each_phase_its_own_images(had_run):
    runner, _ = had_run
    loop = runner.train_loop
    assert [len(i) for i in loop.phase_indices] == [4, 4, 4]
    for indices, loader, tasks in zip(loop.phase_indices, loop.phase_loaders,
                                      loop.phases):
        assert loader.dataset.indices == indices.tolist()
        assert loader.dataset.task_names == tasks


def test_tools_test_scores_the_tasks_of_a_phase_checkpoint(
        had_run, tiny_data_root, tmp_path):
    _, work_dir = had_run
    cfg = tiny_cfg('configs/had/had_r18_synthetic.py', tiny_data_root,
                   tmp_path)
    config = str(tmp_path / 'tiny_had.py')
    cfg.dump(config)
    out = tmp_path / 'metrics.json'
    subprocess.run([
        sys.executable,
        osp.join(REPO_ROOT, 'tools', 'test.py'), config,
        osp.join(work_dir, 'phase_2_depth.pth'), '--work-dir',
        str(tmp_path), '--out',
        str(out)
    ],
                   check=True,
                   cwd=REPO_ROOT)
    metrics = json.loads(out.read_text())
    assert {k.split('/')[0] for k in metrics} == {'semantic', 'depth'}
    with open(osp.join(work_dir, 'lifelong_results.json')) as f:
        phase2 = json.load(f)['phases'][1]['metrics']
    # the same weights on the same set give the numbers the run recorded
    assert metrics['depth/abs_err'] == pytest.approx(
        phase2['depth']['abs_err'], rel=1e-5)


def test_tools_test_refuses_a_checkpoint_of_another_model(
        had_run, tiny_data_root, tmp_path):
    """mmengine would load none of its weights (strict=False) and score the
    model as initialised; the run stops and names the file instead."""
    cfg = tiny_cfg('configs/had/had_r18_synthetic.py', tiny_data_root,
                   tmp_path)
    config = str(tmp_path / 'tiny_had.py')
    cfg.dump(config)
    foreign = tmp_path / 'backbone.pth'
    torch.save({'state_dict': {'conv1.weight': torch.ones(8, 3, 3, 3)}},
               foreign)
    test = subprocess.run([
        sys.executable,
        osp.join(REPO_ROOT, 'tools', 'test.py'), config,
        str(foreign), '--work-dir',
        str(tmp_path)
    ],
                          cwd=REPO_ROOT,
                          capture_output=True,
                          text=True)
    assert test.returncode != 0
    assert f'{foreign} holds none of the weights of this model' in \
        test.stderr


def test_extend_policy_adds_heads_as_param_groups(tiny_data_root, tmp_path):
    cfg = tiny_cfg('configs/baselines/finetune_r18_synthetic.py',
                   tiny_data_root, tmp_path, optimizer_policy='extend')
    runner = LifelongRunner.from_cfg(cfg)
    runner.train()
    groups = runner.optim_wrapper.optimizer.param_groups
    assert len(groups) == 4  # backbone, then one group per new head
    for group, task in zip(groups[1:], TASKS):
        assert [id(p) for p in group['params']] == [
            id(p) for p in runner.model.heads[task].parameters()
        ]


def test_task_order_naming_an_unknown_task(tiny_data_root, tmp_path):
    cfg = tiny_cfg('configs/had/had_r18_synthetic.py', tiny_data_root,
                   tmp_path, task_order=['semantic', 'edge'])
    runner = LifelongRunner.from_cfg(cfg)
    with pytest.raises(KeyError, match="'edge'"):
        runner.train()


def test_nan_loss_stops_with_phase_iteration_and_term(tiny_data_root,
                                                      tmp_path,
                                                      monkeypatch):
    from mmhad.algorithms import NonFiniteLossError
    from mmhad.tasks import DepthTask
    cfg = tiny_cfg('configs/had/had_r18_synthetic.py', tiny_data_root,
                   tmp_path)
    runner = LifelongRunner.from_cfg(cfg)
    original = DepthTask.loss

    def nan_depth_loss(self, pred, gt):
        return original(self, pred, gt) * float('nan')

    monkeypatch.setattr(DepthTask, 'loss', nan_depth_loss)
    with pytest.raises(NonFiniteLossError) as info:
        runner.train()
    message = str(info.value)
    assert 'new.loss.depth=nan' in message
    assert 'phase 2/3 (depth), epoch 2, iteration 1/1' in message
    assert 'phase_1_semantic.pth' in message
    # the phase-1 checkpoint is intact and loads
    torch.load(osp.join(tmp_path, 'phase_1_semantic.pth'), weights_only=True)


def test_default_loader_drops_the_last_incomplete_batch(
        tiny_data_root, tmp_path):
    # 4 images per phase, batch 3: one batch of 3, no batch of 1
    cfg = tiny_cfg('configs/had/had_r18_synthetic.py', tiny_data_root,
                   tmp_path)
    cfg.train_dataloader.batch_size = 3
    loop = LifelongRunner.from_cfg(cfg).train_loop
    assert [len(loader) for loader in loop.phase_loaders] == [1, 1, 1]


@pytest.mark.parametrize('batch_size,drop_last,message', [
    (3, False, 'its last batch on one image'),
    (1, True, 'every batch on one image'),
    (5, True, 'fewer than one batch of 5'),
])
def test_batches_bn_cannot_train_on_are_refused_before_training(
        tiny_data_root, tmp_path, batch_size, drop_last, message):
    cfg = tiny_cfg('configs/had/had_r18_synthetic.py', tiny_data_root,
                   tmp_path)
    cfg.train_dataloader.batch_size = batch_size
    cfg.train_dataloader.drop_last = drop_last
    runner = LifelongRunner.from_cfg(cfg)
    with pytest.raises(ValueError, match=message):
        runner.train()
    assert not [f for f in os.listdir(tmp_path) if f.endswith('.pth')]


def test_tools_test_names_a_damaged_checkpoint(tiny_data_root, tmp_path):
    """The runner's one read of the file (which also gives the model the
    checkpoint's tasks) refuses a truncated checkpoint, naming it."""
    cfg = tiny_cfg('configs/had/had_r18_synthetic.py', tiny_data_root,
                   tmp_path)
    config = str(tmp_path / 'tiny_had.py')
    cfg.dump(config)
    whole = tmp_path / 'whole.pth'
    torch.save({'state_dict': {'conv1.weight': torch.ones(8, 3, 3, 3)}},
               whole)
    damaged = tmp_path / 'phase_2_depth.pth'
    damaged.write_bytes(whole.read_bytes()[:-10])
    test = subprocess.run([
        sys.executable,
        osp.join(REPO_ROOT, 'tools', 'test.py'), config,
        str(damaged), '--work-dir',
        str(tmp_path)
    ],
                          cwd=REPO_ROOT,
                          capture_output=True,
                          text=True)
    assert test.returncode != 0
    assert 'CorruptCheckpointError' in test.stderr
    assert f'{damaged} ({damaged.stat().st_size} bytes)' in test.stderr
