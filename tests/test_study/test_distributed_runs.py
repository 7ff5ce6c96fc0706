"""A study whose runs train distributed (gpus_per_run=2): on the CPU each
run is two gloo ranks under torchrun, on the local pool and as a task of
the fake Slurm cluster, and its results equal the same run launched by
hand with tools/dist_train.sh (slow: tiny 2-process runs)."""
import os
import os.path as osp
import subprocess
import sys

import pytest

from mmhad.study.local import free_port, slot_devices
from tests.conftest import REPO_ROOT
from tests.test_study.helpers import (STUDY_TOOL, phases, study_tool,
                                      tiny_method, write_study)

FT = 'configs/baselines/finetune_r18_synthetic.py'


def test_each_worker_gets_its_own_gpus():
    devices = ['0', '1', '2', '3']
    assert slot_devices(0, 2, devices) == dict(CUDA_VISIBLE_DEVICES='0,1')
    assert slot_devices(1, 2, devices) == dict(CUDA_VISIBLE_DEVICES='2,3')
    assert slot_devices(1, 2, []) == {}  # CPU: gloo ranks, no devices
    with pytest.raises(ValueError, match='worker 2 needs 2 GPU'):
        slot_devices(2, 2, devices)


def by_hand(config, work_dir):
    """The run launched with tools/dist_train.sh CONFIG 2."""
    env = dict(os.environ, OMP_NUM_THREADS='1', PORT=str(free_port()),
               PYTHONPATH=REPO_ROOT)
    launched = subprocess.run(
        ['bash', osp.join(REPO_ROOT, 'tools', 'dist_train.sh'), config,
         '2', '--work-dir', str(work_dir), '--cfg-options',
         'train_dataloader.batch_size=2', 'randomness.seed=0'],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    assert launched.returncode == 0, launched.stderr[-3000:]
    return [p['metrics'] for p in phases(str(work_dir))]


def two_process_study(tmp_path, tiny_data_root, **settings):
    config = tiny_method(tmp_path, FT, tiny_data_root, 'ft')
    # 4 images a phase: 2 per rank, in batches of 2
    study = write_study(tmp_path / 'dist.py', name='dist', methods=dict(
        FT=dict(config=config, options={'train_dataloader.batch_size': 2})),
        naive='FT', seeds=[0], gpus_per_run=2, **settings)
    run = tmp_path / 'work' / 'dist' / 'default' / 'default' / \
        'config-order' / 'FT' / 'seed0'
    return config, study, run


def assert_distributed(run):
    log = (run / 'study.log').read_text()
    assert 'torch.distributed.run' in log and '--nproc_per_node=2' in log
    assert '--launcher pytorch' in log and '{port}' not in log
    return [p['metrics'] for p in phases(str(run))]


@pytest.mark.slow
def test_a_two_process_run_equals_dist_train_by_hand(tiny_data_root,
                                                     tmp_path, capsys):
    config, study, run = two_process_study(tmp_path, tiny_data_root)
    code = study_tool().main([study, '--work-dir', str(tmp_path / 'work'),
                              '--workers', '1', '--threads', '1',
                              '--no-report'])
    assert code == 0, capsys.readouterr().out
    metrics = assert_distributed(run)
    assert len(metrics) == 3
    assert metrics == by_hand(config, tmp_path / 'hand')


@pytest.mark.slow
def test_a_two_process_run_on_the_fake_cluster(fake_slurm, tiny_data_root,
                                               tmp_path):
    pytest.importorskip('submitit')
    env, state = fake_slurm
    config, study, run = two_process_study(
        tmp_path, tiny_data_root, slurm=dict(partition='cpu', time=5))
    done = subprocess.run(
        [sys.executable, STUDY_TOOL, study, '--launcher', 'slurm',
         '--work-dir', str(tmp_path / 'work'), '--threads', '1', '--wait',
         '--poll', '1', '--no-report'],
        capture_output=True, text=True, env=env, timeout=400)
    assert done.returncode == 0, done.stdout + done.stderr
    sbatch = (state / 'sbatch.log').read_text()
    # one task per run (torchrun starts the ranks), two GPUs, two CPUs
    assert "'ntasks-per-node': '1'" in sbatch
    assert "'gpus-per-node': '2'" in sbatch
    assert "'cpus-per-task': '2'" in sbatch
    assert assert_distributed(run) == by_hand(config, tmp_path / 'hand')
