"""The Slurm launcher through submitit against a fake Slurm on PATH
(sbatch, srun, sacct, squeue, scontrol, scancel): one job array, a task
preempted and requeued to continue with --resume, a failing run resubmitted
up to the cap, the tool re-run to collect."""
import json
import subprocess
import sys

import pytest

from mmhad.evaluation.lifelong_report import load_run
from tests.test_study.helpers import (STUDY_TOOL, TASKS, phases, study_tool,
                                      tiny_method, write_study)

pytest.importorskip('submitit')


def launch_and_wait(config, work, env, parallelism, timeout):
    """The study tool on the fake cluster, waiting until every run has
    finished or failed for good; returns its command (without --wait) and
    the completed process."""
    command = [sys.executable, STUDY_TOOL, config, '--launcher', 'slurm',
               '--work-dir', str(work), '--threads', '1']
    done = subprocess.run(command + ['--wait', '--poll', '1',
                                     '--array-parallelism', str(parallelism)],
                          capture_output=True, text=True, env=env,
                          timeout=timeout)
    return command, done


@pytest.mark.slow  # three tiny runs and a requeue: about a minute
def test_slurm_arrays_requeue_resubmit_and_collect(fake_slurm, tmp_path,
                                                   tiny_data_root):
    env, state = fake_slurm
    ft = tiny_method(tmp_path, 'configs/baselines/finetune_r18_synthetic.py',
                     tiny_data_root, 'ft')
    had = tiny_method(tmp_path, 'configs/had/had_r18_synthetic.py',
                      tiny_data_root, 'had')
    config = write_study(
        tmp_path / 'cluster.py', name='cluster', naive='FT', seeds=[0],
        tasks=TASKS, orders=[TASKS],
        methods=dict(
            FT=dict(config=ft, options={'train_cfg.max_epochs': 15}),
            HAD=dict(config=had, options={'train_cfg.max_epochs': 15}),
            Broken=dict(config=ft, options={'train_cfg.type': 'NoSuchLoop'})),
        slurm=dict(partition='cpu', time=5, max_attempts=2))
    work = tmp_path / 'work'
    runs = work / 'cluster' / 'default' / 'default' / 'semantic-depth-normal'
    # preempt HAD once its first phase is written
    env['FAKE_SLURM_PREEMPT'] = str(runs / 'HAD' / 'seed0' /
                                    'lifelong_results.json')
    command, first = launch_and_wait(config, work, env, parallelism=3,
                                     timeout=400)
    out = first.stdout
    assert first.returncode == 1, out + first.stderr
    # one array of three tasks, then Broken alone, then it is out of tries
    sbatch = (state / 'sbatch.log').read_text().splitlines()
    assert len(sbatch) == 2
    assert "'array': '0-2%3'" in sbatch[0]
    assert "'job-name': 'mmhad-cluster'" in sbatch[0]
    assert "'partition': 'cpu'" in sbatch[0]
    assert "'array':" not in sbatch[1]
    assert 'submitted 3 run(s) as Slurm job 1001 named mmhad-cluster' in out
    assert 'submitted 1 run(s) as Slurm job 1002' in out
    record = json.loads(
        (work / 'cluster' / '.slurm' / 'jobs.json').read_text())
    assert record == {
        'cluster/default/default/semantic-depth-normal/FT/seed0': ['1001_0'],
        'cluster/default/default/semantic-depth-normal/HAD/seed0':
        ['1001_1'],
        'cluster/default/default/semantic-depth-normal/Broken/seed0':
        ['1001_2', '1002']
    }
    for method in ('FT', 'HAD'):
        assert load_run(str(runs / method / 'seed0')).complete
    # HAD was preempted after its first phase and continued from it
    assert (state / 'events' / 'PREEMPT').is_file() and (
        state / 'requeue').is_dir()
    log = (runs / 'HAD' / 'seed0' / 'study.log').read_text()
    assert 'stopped by Slurm' in log
    assert log.count('Slurm job 1001_1') == 2
    assert log.count('==== [mmhad study] resumed') == 1
    assert '--resume' in log.split('==== [mmhad study] resumed')[1]
    assert len(phases(str(runs / 'HAD' / 'seed0'))) == 3
    # the failure, with its error, after two jobs
    listed = out[out.index('1 run(s) failed'):]
    assert 'Broken/seed0' in listed and 'NoSuchLoop' in listed
    assert '2 Slurm jobs (1001_2, 1002), the last FAILED' in listed
    assert (work / 'cluster' / 'report.md').is_file()
    # squeue shows the tasks under the study's name (a finished run's task
    # may still be winding up)
    queue = subprocess.run(['squeue'], capture_output=True, text=True,
                           env=env).stdout.splitlines()
    assert all(' mmhad-cluster ' in line for line in queue[1:])

    # re-running collects: nothing is submitted again
    again = subprocess.run(command, capture_output=True, text=True, env=env,
                           timeout=300)
    assert again.returncode == 1
    assert 'submitted' not in again.stdout
    assert '2 finished, 0 queued or running, 1 failed for good' in \
        again.stdout
    assert len((state / 'sbatch.log').read_text().splitlines()) == 2
    # and --dry-run says where the study stands on the cluster
    plan = subprocess.run(command + ['--dry-run'], capture_output=True,
                          text=True, env=env, timeout=300).stdout
    assert ('launcher: slurm, 0 run(s) to submit as 0 array(s) named '
            'mmhad-cluster') in plan
    assert '1 out of attempts' in plan
    assert 'failed for good: cluster/default/default/' in plan


def test_without_submitit_the_slurm_launcher_says_how_to_get_it(
        tmp_path, monkeypatch, capsys):
    import mmhad.study.slurm as slurm
    monkeypatch.setattr(slurm, 'submitit', None)
    config = write_study(tmp_path / 's.py', naive='FT', methods=dict(
        FT='configs/baselines/finetune_r18_synthetic.py'))
    code = study_tool().main([config, '--launcher', 'slurm', '--work-dir',
                              str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert 'pip install submitit' in err
    with pytest.raises(RuntimeError, match='pip install submitit'):
        slurm.SlurmLauncher(None)


@pytest.mark.slow  # four tiny runs, a timeout and a preemption: 2 minutes
def test_a_study_past_the_array_limit_survives_a_timeout_and_a_preemption(
        fake_slurm, tmp_path, tiny_data_root):
    """Four runs on a cluster whose arrays hold two tasks: two arrays. One
    run's clock runs out after its first phase (warned, requeued by
    submitit, resumed); another run is preempted for good after its first
    phase (PREEMPTED, submitted again by the launcher, resumed). Every run
    finishes, each trained once: one fresh start per run, every later
    attempt continuing from the last checkpoint."""
    env, state = fake_slurm
    ft = tiny_method(tmp_path, 'configs/baselines/finetune_r18_synthetic.py',
                     tiny_data_root, 'ft')
    had = tiny_method(tmp_path, 'configs/had/had_r18_synthetic.py',
                      tiny_data_root, 'had')
    options = {'train_cfg.max_epochs': 15}
    config = write_study(
        tmp_path / 'chunks.py', name='chunks', naive='FT', seeds=[0, 1],
        tasks=TASKS, orders=[TASKS],
        methods=dict(FT=dict(config=ft, options=options),
                     HAD=dict(config=had, options=options)),
        # 10 minutes: submitit counts every warning as a time limit
        slurm=dict(partition='cpu', time=10, max_array_size=2))
    work = tmp_path / 'work'
    runs = work / 'chunks' / 'default' / 'default' / 'semantic-depth-normal'
    # the events come once the first phase's checkpoint is written
    first = 'phase_1_*.pth'
    env.update(FAKE_SLURM_MAX_ARRAY='2',
               FAKE_SLURM_TIMEOUT=str(runs / 'FT' / 'seed1' / first),
               FAKE_SLURM_PREEMPT=str(runs / 'HAD' / 'seed0' / first),
               FAKE_SLURM_PREEMPT_MODE='cancel')
    _, done = launch_and_wait(config, work, env, parallelism=2, timeout=900)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (state / 'events' / 'TIMEOUT').is_file()
    assert (state / 'events' / 'PREEMPT').is_file()
    # two arrays of two, then the preempted run alone
    sbatch = (state / 'sbatch.log').read_text().splitlines()
    assert len(sbatch) == 3
    assert "'array': '0-1%2'" in sbatch[0] and "'array': '0-1%2'" in \
        sbatch[1]
    assert "'array':" not in sbatch[2]
    record = json.loads((work / 'chunks' / '.slurm' / 'jobs.json').read_text())
    jobs = {name.split('/', 4)[-1]: ids for name, ids in record.items()}
    assert sorted(len(ids) for ids in jobs.values()) == [1, 1, 1, 2]
    assert len(jobs['HAD/seed0']) == 2
    assert (state / 'states' / jobs['HAD/seed0'][0]).read_text() == \
        'PREEMPTED'
    for name in jobs:
        work_dir = runs / name
        assert load_run(str(work_dir)).complete, name
        assert len(phases(str(work_dir))) == 3
        log = (work_dir / 'study.log').read_text()
        # trained once: one fresh start, and nothing set aside
        assert log.count('==== [mmhad study] started') == 1, name
        assert not list(work_dir.glob('replaced_*'))
        interrupted = name in ('FT/seed1', 'HAD/seed0')
        assert log.count('==== [mmhad study] resumed') == int(interrupted)
        # the first phase trained once; an interrupted run's second phase
        # again from its start (the first phase's checkpoint)
        for phase in (1, 2, 3):
            again = interrupted and phase == 2
            assert log.count(f'Phase {phase}/3: learning') <= 1 + again, (
                name, phase)
            assert log.count(f'Phase {phase}/3: learning') >= 1
    # the timed-out run was requeued within its job, by submitit
    log = (runs / 'FT' / 'seed1' / 'study.log').read_text()
    assert 'stopped by Slurm' in log
    assert log.count(f'Slurm job {jobs["FT/seed1"][0]}') == 2
    # the preempted one: its next action, then a new job that resumed
    log = (runs / 'HAD' / 'seed0' / 'study.log').read_text()
    assert (f'Slurm job {jobs["HAD/seed0"][0]} ended PREEMPTED: preempted; '
            'submitting attempt 2 of 3') in log
    resumed = log.split('==== [mmhad study] resumed')[1]
    assert '--resume' in resumed.splitlines()[0]
    assert '--resume: continuing from ' in resumed and \
        'phase_1_semantic.pth' in resumed
