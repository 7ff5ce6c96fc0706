"""The fake Slurm cluster (fake_slurm.py) for the study tests."""
import os
import os.path as osp
import signal
import sys

import pytest

from tests.conftest import REPO_ROOT

FAKE = osp.join(osp.dirname(osp.abspath(__file__)), 'fake_slurm.py')
COMMANDS = ('sbatch', 'srun', 'sacct', 'squeue', 'scontrol', 'scancel')


def install(tmp_path):
    """Wrappers named after the Slurm commands in ``tmp_path/bin``; returns
    that folder and the cluster's state folder."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    for name in COMMANDS:
        wrapper = bin_dir / name
        wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} {FAKE} '
                           f'{name} "$@"\n')
        wrapper.chmod(0o755)
    return bin_dir, tmp_path / 'slurm_state'


def stop_cluster(state):
    # the fake cluster's processes (each job's own process group) end here,
    # whatever the test did
    for pid_file in (state / 'clusters').glob('*'):
        try:
            os.killpg(int(pid_file.read_text()), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass


@pytest.fixture
def fake_slurm(tmp_path):
    """``(env, state)``: the environment of a study tool subprocess that
    sees the fake cluster, and the cluster's state folder."""
    bin_dir, state = install(tmp_path)
    path = os.environ.get('PYTHONPATH')
    yield dict(os.environ, PATH=f'{bin_dir}:{os.environ["PATH"]}',
               FAKE_SLURM_DIR=str(state),
               PYTHONPATH=REPO_ROOT + (':' + path if path else '')), state
    stop_cluster(state)


@pytest.fixture
def fake_slurm_here(tmp_path, monkeypatch):
    """The fake cluster seen by this process (PATH), with submitit's
    process-wide sacct cache emptied; yields its state folder."""
    submitit = pytest.importorskip('submitit')
    bin_dir, state = install(tmp_path)
    monkeypatch.setenv('PATH', f'{bin_dir}:{os.environ["PATH"]}')
    monkeypatch.setenv('FAKE_SLURM_DIR', str(state))
    submitit.SlurmJob.watcher.clear()
    yield state
    submitit.SlurmJob.watcher.clear()
    stop_cluster(state)
