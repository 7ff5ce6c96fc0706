"""The Slurm launcher as a cluster behaves (fast: states set on the fake
cluster by hand, no training): every job state has its next action, a job
sacct does not know is looked up in squeue, arrays stay under the size
limit, parameters are checked before anything runs, and --threads is what
each task asks for."""
import json
import os.path as osp
from contextlib import contextmanager

import pytest

from mmhad.study.spec import load_study
from tests.conftest import REPO_ROOT
from tests.test_study.helpers import TASKS, study_tool, write_study

submitit = pytest.importorskip('submitit')
from mmhad.study.slurm import SlurmLauncher, slurm_parameters  # noqa: E402

FT = 'configs/baselines/finetune_r18_synthetic.py'
HAD = 'configs/had/had_r18_synthetic.py'


@pytest.fixture
def cluster(fake_slurm_here):
    """The fake cluster, seen by this process: its state folder."""
    return fake_slurm_here


def study_of(tmp_path, seeds, **slurm):
    config = write_study(tmp_path / 'states.py', name='states',
                         methods=dict(FT=FT, HAD=HAD), naive='FT',
                         seeds=seeds, tasks=TASKS, slurm=slurm)
    return config, load_study(config, str(tmp_path / 'work'))


def put_jobs(state, launcher, runs_and_states):
    """Record one job per run (array 2001) in the launcher's record and
    give each task its state on the fake cluster."""
    tasks = [f'2001_{i}' for i in range(len(runs_and_states))]
    (state / 'jobs').mkdir(parents=True, exist_ok=True)
    (state / 'states').mkdir(parents=True, exist_ok=True)
    (state / 'jobs' / '2001.json').write_text(json.dumps(dict(
        id=2001, tasks=tasks, name='x', parallel=1, script='', cwd='')))
    record = {}
    for task, (run, slurm_state) in zip(tasks, runs_and_states):
        (state / 'states' / task).write_text(slurm_state)
        record[run.name] = [task]
    launcher._save(record)
    return tasks


def test_every_state_has_its_next_action(cluster, tmp_path, monkeypatch):
    _, study = study_of(tmp_path, seeds=list(range(5)))
    launcher = SlurmLauncher(study)
    runs = study.runs  # 10: FT x 5 seeds, HAD x 5 seeds
    states = ['PENDING', 'RUNNING', 'SUSPENDED', 'REQUEUED', 'PREEMPTED',
              'OUT_OF_MEMORY', 'NODE_FAIL', 'TIMEOUT', 'CANCELLED by 42',
              'RUNNING']
    tasks = put_jobs(cluster, launcher, list(zip(runs, states)))
    # the last one sacct does not know; squeue still lists it as running
    monkeypatch.setenv('FAKE_SLURM_SACCT_HIDE', tasks[-1])
    outcome, todo = launcher.look(runs)
    waiting = {runs[i].name for i in (0, 1, 2, 3, 9)}
    assert set(outcome.in_flight) == waiting
    assert 'SUSPENDED' in outcome.in_flight[runs[2].name]
    resubmitted = [run.name for run, _ in todo]
    assert resubmitted == [runs[i].name for i in (4, 5, 6, 7, 8)]
    notes = {i: open(osp.join(runs[i].work_dir, 'study.log')).read()
             for i in (4, 5, 6, 7, 8)}
    assert 'ended PREEMPTED: preempted; submitting attempt 2 of 3' in notes[4]
    assert 'OUT_OF_MEMORY' in notes[5] and '--mem' in notes[5]
    assert 'NODE_FAIL: its node failed' in notes[6]
    assert 'TIMEOUT' in notes[7] and '--time' in notes[7]
    assert 'CANCELLED: cancelled' in notes[8]
    assert all('continuing from the last checkpoint' in n
               for n in notes.values())
    assert all('_log.err' in n for n in notes.values())


def test_a_job_neither_sacct_nor_squeue_knows_has_ended(cluster, tmp_path,
                                                        monkeypatch):
    _, study = study_of(tmp_path, seeds=[0])
    launcher = SlurmLauncher(study)
    tasks = put_jobs(cluster, launcher, [(study.runs[0], 'COMPLETED'),
                                         (study.runs[1], 'RUNNING')])
    monkeypatch.setenv('FAKE_SLURM_SACCT_HIDE', ','.join(tasks))
    (cluster / 'states' / tasks[0]).write_text('COMPLETED')  # not queued
    outcome, todo = launcher.look(study.runs)
    assert list(outcome.in_flight) == [study.runs[1].name]
    assert [run.name for run, _ in todo] == [study.runs[0].name]
    log = open(osp.join(study.runs[0].work_dir, 'study.log')).read()
    assert 'neither sacct nor squeue knows it' in log


def test_out_of_attempts_names_the_submitit_logs(cluster, tmp_path):
    _, study = study_of(tmp_path, seeds=[0], max_attempts=1)
    launcher = SlurmLauncher(study)
    put_jobs(cluster, launcher, [(study.runs[0], 'OUT_OF_MEMORY'),
                                 (study.runs[1], 'PENDING')])
    outcome, todo = launcher.look(study.runs)
    assert todo == [] and [f.name for f in outcome.failed] == [
        study.runs[0].name]
    lines = outcome.failed[0].tail
    assert 'killed for memory: give more with --mem' in lines[0]
    assert lines[1].startswith('submitit logs: ') and osp.join(
        study.root, '.slurm', 'submitit', '2001_0_0_log.err') in lines[1]


class FakeExecutor:
    """Records the arrays submitted, as submitit's executor would send
    them (one sbatch per batch)."""

    def __init__(self, arrays):
        self.arrays = arrays

    @contextmanager
    def batch(self):
        self.arrays.append([])
        yield

    def submit(self, task):
        array = len(self.arrays) + 3000

        class Job:
            job_id = f'{array}_{len(self.arrays[-1])}'
        self.arrays[-1].append(task)
        return Job()


def test_arrays_stay_under_the_size_limit(cluster, tmp_path, monkeypatch):
    config = write_study(tmp_path / 'states.py', name='states',
                         methods=dict(FT=FT, HAD=HAD), naive='FT',
                         seeds=[0, 1, 2], tasks=TASKS, gpus_per_run=2,
                         slurm=dict(max_array_size=4))
    study = load_study(config, str(tmp_path / 'work'))
    launcher = SlurmLauncher(study)
    arrays = []
    monkeypatch.setattr(launcher, 'executor', lambda: FakeExecutor(arrays))
    _, todo = launcher.look(study.runs)
    submitted = launcher.submit(todo, resume=True)
    assert [len(a) for a in arrays] == [4, 2]
    # a distributed run's task imports the study's checkout (its train
    # tool is behind 'python -m torch.distributed.run')
    task = arrays[0][0]
    assert task.commands[0][1:3] == ['-m', 'torch.distributed.run']
    assert task.checkout == study.checkout
    assert sorted(submitted) == sorted(r.name for r in study.runs)
    assert len(set(submitted.values())) == 6


def test_the_fake_sbatch_refuses_what_sbatch_refuses(cluster, tmp_path):
    import subprocess
    script = tmp_path / 'job.sh'
    script.write_text('#!/bin/bash\n#SBATCH --mem_gb=16\necho hi\n')
    refused = subprocess.run(['sbatch', str(script)], capture_output=True,
                             text=True)
    assert refused.returncode != 0
    assert "unrecognized option '--mem_gb'" in refused.stderr
    script.write_text('#!/bin/bash\n#SBATCH --array=0-1001%4\necho hi\n')
    refused = subprocess.run(['sbatch', str(script)], capture_output=True,
                             text=True)
    assert 'Invalid job array specification' in refused.stderr


def test_threads_are_the_cpus_asked_for_and_mem_gb_is_mem():
    params = slurm_parameters(dict(cpus_per_task=1, mem_gb=16,
                                   max_attempts=2), threads=4)
    assert params == dict(cpus_per_task=4, mem='16GB')
    with pytest.raises(ValueError, match='mem_gb and mem are one setting'):
        slurm_parameters(dict(mem_gb=16, mem='8GB'), threads=1)


def test_dry_run_checks_the_parameters_and_the_command_line_wins(
        cluster, tmp_path, capsys):
    config, _ = study_of(tmp_path, seeds=[0], cpus_per_task=1, mem_gb=16,
                         partition='study-partition')
    tool = study_tool()
    work = str(tmp_path / 'work')
    assert tool.main([config, '--work-dir', work, '--launcher', 'slurm',
                      '--dry-run', '--threads', '4', '--partition', 'gpu',
                      '--account', 'lab']) == 0
    out = capsys.readouterr().out
    assert 'sbatch parameters (checked by submitit)' in out
    for line in ("cpus_per_task = 4", "mem = '16GB'", "partition = 'gpu'",
                 "account = 'lab'"):
        assert line in out
    assert '4 thread(s) and CPU(s) each' in out
    # the script of the first array, as submitit writes it, submitted
    # nowhere
    script = [line[len('  | '):] for line in out.splitlines()
              if line.startswith('  | ')]
    assert out.count('sbatch script of the first array (2 run(s))') == 1
    for line in ('#SBATCH --array=0-1%2', '#SBATCH --cpus-per-task=4',
                 '#SBATCH --mem=16GB', '#SBATCH --partition=gpu',
                 '#SBATCH --account=lab', '#SBATCH --job-name=mmhad-states',
                 f'export PYTHONPATH={REPO_ROOT}'
                 '${PYTHONPATH:+:$PYTHONPATH}'):
        assert line in script
    srun = next(line for line in script if line.startswith('srun '))
    assert osp.join(work, 'states', '.slurm', 'submitit') in srun
    assert not (cluster / 'sbatch.log').exists()
    assert not osp.exists(osp.join(work, 'states', '.slurm'))
    # an option sbatch does not take fails here, before any data
    config, _ = study_of(tmp_path, seeds=[0], memory_gb=16)
    assert tool.main([config, '--work-dir', work, '--launcher', 'slurm',
                      '--dry-run']) == 2
    assert 'memory_gb' in capsys.readouterr().err


def test_a_task_pickled_before_the_checkout_attribute_still_runs():
    """A job pickled by an older mmhad, requeued after an update, is
    unpickled by this one: it runs this package's checkout."""
    import pickle

    from mmhad.study.slurm import TrainJob
    from mmhad.study.spec import PACKAGE_CHECKOUT
    job = TrainJob('run', '/tmp/run', ([], []), threads=1, checkout='/x')
    old = pickle.loads(pickle.dumps(job))
    assert old.checkout == '/x'
    del old.__dict__['checkout']  # what the older class pickled
    assert pickle.loads(pickle.dumps(old)).checkout == PACKAGE_CHECKOUT
