"""The fake cluster keeps Slurm's time: ``--time`` runs out by the clock,
``--signal`` reaches every process of the job step before the end, and a
task still running at the end is killed and ``TIMEOUT``; through submitit,
each time-limit signal counts ``max_requeues`` down until the run is no
longer requeued (fast: no training)."""
import subprocess
import sys
import time

import pytest

from mmhad.engine.work_dir import STUDY_LOG_FILE
from mmhad.study.spec import PACKAGE_CHECKOUT
from tests.test_study.test_slurm_states import study_of

submitit = pytest.importorskip('submitit')
from mmhad.study.slurm import SlurmLauncher, TrainJob  # noqa: E402

#: A job step's process that starts a child and records, as files in its
#: folder, which signals each of the two received.
PROBE = '''
import os, signal, subprocess, sys, time
name = sys.argv[1]
def note(signum, frame):
    open(f'{name}.{signal.Signals(signum).name}', 'w').close()
    if signum == signal.SIGTERM:
        sys.exit(0)
signal.signal(signal.SIGUSR2, note)
signal.signal(signal.SIGTERM, note)
if name == 'parent':
    child = subprocess.Popen([sys.executable, __file__, 'child'])
while True:
    time.sleep(0.05)
'''


def wait_for(state_file, states, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if state_file.is_file() and state_file.read_text() in states:
            return state_file.read_text()
        time.sleep(0.1)
    raise AssertionError(f'{state_file} never reached {states}')


def test_the_clock_signals_the_whole_step_then_times_out(
        fake_slurm_here, tmp_path, monkeypatch):
    state = fake_slurm_here
    monkeypatch.setenv('FAKE_SLURM_MINUTE', '4')  # 1 minute: 4 s
    (tmp_path / 'probe.py').write_text(PROBE)
    script = tmp_path / 'job.sh'
    # 1 minute, warned 30 s (2 s here) before the end
    script.write_text(f'#!/bin/bash\n#SBATCH --time=1\n'
                      f'#SBATCH --signal=USR2@30\n'
                      f'srun {sys.executable} probe.py parent\n')
    start = time.monotonic()
    out = subprocess.run(['sbatch', str(script)], cwd=tmp_path,
                         capture_output=True, text=True, check=True).stdout
    job = out.split()[-1]
    assert wait_for(state / 'states' / job, ('TIMEOUT', 'COMPLETED',
                                             'FAILED')) == 'TIMEOUT'
    # the warning at 2 s reached the process srun started and its child;
    # SIGTERM at the end of the 4 s did too
    for name in ('parent', 'child'):
        for signal in ('SIGUSR2', 'SIGTERM'):
            assert (tmp_path / f'{name}.{signal}').is_file(), (name, signal)
    assert time.monotonic() - start >= 4


def test_time_limits_count_max_requeues_down(fake_slurm_here, tmp_path,
                                             monkeypatch):
    """A run that never ends is warned before each time limit; submitit
    requeues it ``max_requeues`` times, each continuing with --resume,
    and the next warning ends it for good."""
    state = fake_slurm_here
    monkeypatch.setenv('FAKE_SLURM_MINUTE', '2')
    _, study = study_of(tmp_path, seeds=[0], time=3, max_requeues=2)
    launcher = SlurmLauncher(study)
    executor = launcher.executor()  # --time=3 (6 s), warned at 3 s
    never_ends = [sys.executable, '-c', 'import time; time.sleep(600)']
    work_dir = tmp_path / 'run'
    job = executor.submit(TrainJob('run', str(work_dir),
                                   (never_ends, never_ends + ['--resume']),
                                   threads=1, checkout=PACKAGE_CHECKOUT))
    final = wait_for(state / 'states' / job.job_id,
                     ('TIMEOUT', 'COMPLETED', 'FAILED'), timeout=120)
    log = (work_dir / STUDY_LOG_FILE).read_text()
    # three starts: the first, then one per requeue, each resuming
    assert log.count(f'Slurm job {job.job_id}') == 3
    assert log.count('stopped by Slurm') == 3
    assert log.count('==== [mmhad study] resumed') == 2
    # the third warning found no requeue left: submitit ended the job
    assert final == 'FAILED'
    stderr = job.paths.stderr.read_text()
    assert 'timed-out too many times' in stderr
