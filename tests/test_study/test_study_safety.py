"""A study launcher that is safe to run again and beside another one:
resume by default, one launcher per study, runs that no longer stand for
their method left out, and the train tool of the study's own checkout
(fast: no training)."""
import json
import os
import os.path as osp
import shutil

import pytest
from mmengine.config import Config

from mmhad.engine.work_dir import RESULTS_FILE, STUDY_RECORD_FILE
from mmhad.evaluation.lifelong_report import load_run
from mmhad.study.fingerprint import (expected_fingerprint,
                                     recorded_fingerprint, write_record)
from mmhad.study.lock import StudyLock
from mmhad.study.report import StudyReport
from mmhad.study.spec import load_study, run_env, train_command
from tests.conftest import REPO_ROOT
from tests.test_study.helpers import TASKS, study_tool, write_study
from tests.test_study.test_report import make_study

FT = 'configs/baselines/finetune_r18_synthetic.py'
HAD = 'configs/had/had_r18_synthetic.py'


def small_study(tmp_path):
    return write_study(tmp_path / 'small.py', name='small',
                       methods=dict(FT=FT, HAD=HAD), naive='FT', seeds=[0],
                       tasks=TASKS)


def test_a_second_launcher_is_refused_naming_the_first(tmp_path, capsys):
    config = small_study(tmp_path)
    work = str(tmp_path / 'work')
    with StudyLock(osp.join(work, 'small')):
        code = study_tool().main([config, '--work-dir', work])
    err = capsys.readouterr().err
    assert code == 2
    assert 'another launcher holds this study' in err
    assert f'process {os.getpid()}' in err
    # nothing was started
    assert not osp.exists(osp.join(work, 'small', 'default'))
    # released: the next one gets it
    with StudyLock(osp.join(work, 'small')):
        pass


def test_unfinished_runs_resume_by_default_and_restart_starts_over(
        tmp_path, capsys):
    config = small_study(tmp_path)
    work = str(tmp_path / 'work')
    study = load_study(config, work)
    started = study.runs[1]
    os.makedirs(started.work_dir)
    open(osp.join(started.work_dir, 'epoch_1.pth'), 'w').close()
    tool = study_tool()
    tool.main([config, '--work-dir', work, '--dry-run', '--commands'])
    plan = capsys.readouterr().out
    assert '1 started earlier (resumed)' in plan
    line = plan[plan.index(started.name):].splitlines()[1]
    assert '--resume' in line.split()
    tool.main([config, '--work-dir', work, '--dry-run', '--commands',
               '--restart'])
    plan = capsys.readouterr().out
    assert '1 started earlier (started again)' in plan
    line = plan[plan.index(started.name):].splitlines()[1]
    assert '--resume' not in line.split()


def test_runs_trained_with_another_config_are_left_out_and_named(tmp_path):
    study = make_study(tmp_path, [TASKS])
    had = [r for r in study.runs
           if r.benchmark == 'rooms' and r.method == 'HAD']
    # seed 0: recorded by the launcher as the study defines it now
    write_record(had[0])
    assert recorded_fingerprint(had[0]) == expected_fingerprint(had[0])
    # seed 1: the config its train tool dumped holds another lambda
    cfg = Config.fromfile(had[1].config)
    cfg.merge_from_dict(dict(had[1].options, **{
        'model.components.had.loss_weight': 9.0}))
    cfg.dump(osp.join(had[1].work_dir, osp.basename(had[1].config)))
    report = StudyReport(study)
    assert list(report.stale) == [had[1].name]
    text = report.to_markdown()
    assert '1 finished run(s) are left out' in text and had[1].name in text
    rooms = report.groups[0]
    assert rooms.partial and 'HAD (seeds [1])' in rooms.missing[
        rooms.orders[0]]
    # an unchanged dumped config is not stale
    cfg.merge_from_dict({'model.components.had.loss_weight':
                         Config.fromfile(had[1].config).model.components.had.
                         loss_weight})
    cfg.dump(osp.join(had[1].work_dir, osp.basename(had[1].config)))
    assert StudyReport(study).stale == {}
    with open(osp.join(had[0].work_dir, STUDY_RECORD_FILE)) as f:
        assert json.load(f)['config'] == had[0].config


def test_runs_use_the_train_tool_of_the_checkout_holding_the_study(
        tmp_path):
    checkout = tmp_path / 'other_checkout'
    for folder in ('tools', 'mmhad', 'configs/studies', 'configs/baselines'):
        os.makedirs(checkout / folder)
    (checkout / 'tools' / 'train.py').write_text('# its own train tool\n')
    (checkout / 'mmhad' / '__init__.py').write_text('')
    shutil.copy(osp.join(REPO_ROOT, FT), checkout / FT)
    shutil.copy(osp.join(REPO_ROOT, 'configs/baselines/lwf_r18_synthetic.py'),
                checkout / 'configs/baselines/lwf_r18_synthetic.py')
    # the shipped configs' _base_ files are read from this checkout
    os.symlink(osp.join(REPO_ROOT, 'configs', '_base_'),
               checkout / 'configs' / '_base_')
    config = write_study(
        checkout / 'configs' / 'studies' / 'mine.py', name='mine',
        methods=dict(FT=FT, LwF='configs/baselines/lwf_r18_synthetic.py'),
        naive='FT', seeds=[0], tasks=TASKS)
    study = load_study(config, str(tmp_path / 'work'))
    assert study.checkout == str(checkout)
    run = study.runs[0]
    assert run.config == str(checkout / FT)  # its configs, not ours
    command = train_command(run)
    assert command[1] == str(checkout / 'tools' / 'train.py')
    assert run_env(1, {}, run.checkout)['PYTHONPATH'] == str(checkout)
    # a study config outside any checkout: the imported mmhad's checkout
    outside = small_study(tmp_path)
    assert load_study(outside, str(tmp_path / 'w')).checkout == REPO_ROOT


def test_damaged_study_files_are_refused_naming_them(tmp_path, capsys):
    """A study's own JSON files cut short (a kill while written, a full
    disk): the tool stops with the file's path and what it holds, and
    changes nothing."""
    study = make_study(tmp_path, [TASKS])
    config = write_study(tmp_path / 'hand.py', **study.cfg.to_dict())
    run = study.runs[0]
    record = osp.join(run.work_dir, STUDY_RECORD_FILE)
    with open(record, 'w') as f:
        f.write('{"fingerprint": "ab')
    code = study_tool().main([config, '--work-dir', str(tmp_path),
                              '--report-only'])
    err = capsys.readouterr().err
    assert code == 2
    assert f'error: {record} is damaged' in err
    assert 'what config the run trained' in err
    os.remove(record)
    # the Slurm launcher's record of its jobs
    jobs = osp.join(study.root, '.slurm', 'jobs.json')
    os.makedirs(osp.dirname(jobs))
    with open(jobs, 'w') as f:
        f.write('{"a": ["10')
    submitit = pytest.importorskip('submitit')
    del submitit
    from mmhad.study.slurm import SlurmLauncher
    with pytest.raises(ValueError, match=f'{jobs} is damaged .* record of '
                       'the Slurm jobs'):
        SlurmLauncher(study).record()
    # and a run's results
    results = osp.join(run.work_dir, RESULTS_FILE)
    with open(results) as f:
        text = f.read()
    with open(results, 'w') as f:
        f.write(text[:len(text) // 2])
    with pytest.raises(ValueError, match=f'{results} is damaged'):
        load_run(run.work_dir)
