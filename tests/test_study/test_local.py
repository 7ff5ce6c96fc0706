"""A tiny study run locally end to end: two workers, killed halfway and
resumed, reported as the report tool reports the same runs (slow: about
two minutes on two cores); a failing run listed while the others finish."""
import csv
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest

from mmhad.evaluation.lifelong_report import (SeedReport, load_run,
                                              order_markdown)
from mmhad.study.statistics import sign_test, t_interval
from tests.conftest import REPO_ROOT
from tests.test_study.helpers import (STUDY_TOOL, TASKS, phases, study_tool,
                                      tiny_method, write_study)

ORDERS = [TASKS, ['depth', 'semantic', 'normal']]
LABELS = ['semantic-depth-normal', 'depth-semantic-normal']
SEEDS = [0, 1]


def env():
    path = os.environ.get('PYTHONPATH')
    return dict(os.environ,
                PYTHONPATH=REPO_ROOT + (':' + path if path else ''))


def run_dir(work, label, method, seed):
    return osp.join(str(work), 'tiny', 'default', 'default', label, method,
                    f'seed{seed}')


@pytest.fixture(scope='module')
def tiny_study(tiny_data_root, tmp_path_factory):
    """2 methods x 2 seeds x 2 orders, 15 epochs (of one batch) a phase:
    long enough for a kill to find a run between phases, and for the
    naive run's normals to be within 11.25 degrees somewhere (a reference
    value of 0 leaves Delta_m undefined)."""
    folder = tmp_path_factory.mktemp('tiny_study')
    config = write_study(
        folder / 'tiny.py', name='tiny',
        methods=dict(
            FT=dict(config=tiny_method(folder, 'configs/baselines/finetune_'
                                       'r18_synthetic.py', tiny_data_root,
                                       'ft'),
                    options={'train_cfg.max_epochs': 15}),
            HAD=dict(config=tiny_method(folder, 'configs/had/had_r18_'
                                        'synthetic.py', tiny_data_root,
                                        'had'),
                     options={'train_cfg.max_epochs': 15})),
        naive='FT', seeds=SEEDS, tasks=TASKS, orders=ORDERS,
        report=dict(pairs=[('HAD', 'FT')]))
    work = folder / 'work'
    command = [sys.executable, STUDY_TOOL, config, '--work-dir', str(work),
               '--workers', '2', '--threads', '1']
    log = open(folder / 'first.log', 'w')
    tool = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                            env=env())
    # kill the tool once a fine-tuning run has finished and a HAD run is
    # between phases
    ft_done = run_dir(work, LABELS[0], 'FT', 0)
    hads = [run_dir(work, o, 'HAD', s) for o in LABELS for s in SEEDS]
    killed, start = None, time.time()
    while killed is None and time.time() - start < 240:
        assert tool.poll() is None, open(folder / 'first.log').read()
        for had in hads:
            try:
                done = len(phases(had))
            except (OSError, ValueError):
                continue
            if 1 <= done < 3 and osp.isfile(
                    osp.join(ft_done, 'lifelong_results.json')):
                tool.send_signal(signal.SIGTERM)
                killed = had
                break
        time.sleep(0.05)
    assert killed, 'no HAD run was caught between phases'
    first_code = tool.wait(60)
    log.close()
    before = dict(
        killed=killed, phases=phases(killed),
        ft_stamp=os.path.getmtime(osp.join(ft_done,
                                           'lifelong_results.json')),
        first_code=first_code, first=open(folder / 'first.log').read())
    start = time.time()
    second = subprocess.run(command + ['--resume'], capture_output=True,
                            text=True, env=env())
    return dict(before, config=config, work=work, second=second,
                seconds=time.time() - start)


@pytest.mark.slow  # the tiny study: about 2 minutes on 2 cores
def test_two_workers_run_side_by_side_and_stop_on_sigterm(tiny_study):
    first = tiny_study['first']
    assert tiny_study['first_code'] == 130, first
    events = [line.split()[0] for line in first.splitlines()
              if line.startswith(('start ', 'done ', 'FAILED '))]
    assert events[:2] == ['start', 'start']  # two at once
    assert 'ETA' in first and '/8 runs' in first
    assert 'run the same command to continue them' in first
    log = open(osp.join(tiny_study['killed'], 'study.log')).read()
    assert 'stopped (SIGTERM)' in log


@pytest.mark.slow  # the tiny study: about 2 minutes on 2 cores
def test_killed_run_resumes_and_finished_ones_are_skipped(tiny_study):
    second = tiny_study['second']
    assert second.returncode == 0, second.stdout + second.stderr
    work = tiny_study['work']
    for label in LABELS:
        for method in ('FT', 'HAD'):
            for seed in SEEDS:
                assert load_run(run_dir(work, label, method,
                                        seed)).complete
    ft = run_dir(work, LABELS[0], 'FT', 0)
    assert os.path.getmtime(osp.join(
        ft, 'lifelong_results.json')) == tiny_study['ft_stamp']
    assert not any(name.endswith('.pth') for name in os.listdir(ft))
    killed = tiny_study['killed']
    log = open(osp.join(killed, 'study.log')).read()
    assert log.count('==== [mmhad study] started') == 1
    assert log.count('==== [mmhad study] resumed') == 1
    # the phases learned before the kill are kept, not learned again
    done = tiny_study['phases']
    assert phases(killed)[:len(done)] == done
    assert len(phases(killed)) == 3


@pytest.mark.slow  # the tiny study: about 2 minutes on 2 cores
def test_report_equals_the_report_tool_on_the_same_runs(tiny_study,
                                                        tmp_path):
    sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'analysis'))
    import lifelong_report
    work = tiny_study['work']
    root = osp.join(str(work), 'tiny')
    data = json.load(open(osp.join(root, 'report.json')))
    group = data['groups'][0]
    assert (group['benchmark'], group['regime']) == ('default', 'default')
    assert group['methods'] == ['FT', 'HAD'] and not group['missing']
    reports, naive = {}, {}
    for label in LABELS:
        dirs = {m: [run_dir(work, label, m, s) for s in SEEDS]
                for m in ('FT', 'HAD')}
        out = tmp_path / label
        lifelong_report.main([
            ','.join(dirs['HAD']), '--naive', ','.join(dirs['FT']),
            '--naive-name', 'FT', '--names', 'HAD', '--out-dir', str(out)
        ])
        # the report tool's files, number for number
        for name in ('report.md', 'report.csv', 'per_seed.csv'):
            assert (out / name).read_text() == open(
                osp.join(root, 'default', 'default', label, name)).read()
        rows = {r['method']: r for r in csv.DictReader(
            open(out / 'report.csv'))}
        stats = group['per_order'][label]
        for method in ('FT', 'HAD'):
            for key in ('delta_m_naive', 'delta_m_old', 'mean_rank'):
                assert stats[method][key]['mean'] == float(
                    rows[method][f'{key}_mean'])
                assert stats[method][key]['std'] == float(
                    rows[method][f'{key}_std'])
                values = stats[method][key]['per_seed']
                assert stats[method][key]['ci'] == list(
                    t_interval(values))
                # per_seed.csv holds the values the mean is taken from
                assert [float(r[key]) for r in csv.DictReader(
                    open(out / 'per_seed.csv')) if r['method'] == method
                ] == values
        records = {m: [load_run(d) for d in dirs[m]] for m in dirs}
        naive[label] = records['FT']
        reports[label] = SeedReport([records['HAD']], records['FT'],
                                    ['HAD'], naive_name='FT')
    # averaged over orders: order_markdown's "mean" and "Mean Rank"
    table = order_markdown(reports, naive)
    had_row = [line for line in table.splitlines()
               if line.startswith('| HAD |')][0].split('|')
    over = group['over_orders']['HAD']
    assert f'{over["delta_m_naive"]["mean"]:+.2f}' == had_row[-3].strip()
    assert f'{over["mean_rank"]["mean"]:.2f}' == had_row[-2].strip()
    assert open(osp.join(root, 'default', 'default',
                         'orders.md')).read() == table
    # the paired comparison: one pair per seed, each seed's Δm averaged
    # over the 2 orders (a seed's runs in two orders are not independent)
    pair = [p for p in group['pairs'] if p['figure'] == 'delta_m_naive'][0]
    assert (pair['first'], pair['second'], pair['n']) == ('HAD', 'FT', 2)
    values = [sum(group['per_order'][label]['HAD']['delta_m_naive'][
        'per_seed'][seed] for label in LABELS) / len(LABELS)
        for seed in range(len(SEEDS))]
    assert pair['ahead'] == sum(v > 0 for v in values)  # FT's Δm is 0
    assert pair['smallest_p'] == 0.5 ** (pair['ahead'] + pair['behind'] - 1)
    assert pair['p_value'] == sign_test(pair['ahead'], pair['behind'])
    for name in ('report.md', 'report.csv', 'pairs.csv'):
        assert osp.getsize(osp.join(root, name)) > 0
    for name in ('delta_m.png', 'ranks.png', 'orders.png'):
        assert osp.getsize(osp.join(root, 'default', 'default', name)) > 0
    text = open(osp.join(root, 'report.md')).read()
    assert 'Averaged over 2 task orders' in text
    assert '| HAD vs FT | Δm all tasks (%) |' in text


@pytest.mark.slow  # the tiny study: about 2 minutes on 2 cores
def test_dry_run_of_a_finished_study(tiny_study, capsys):
    assert study_tool().main([tiny_study['config'], '--dry-run',
                              '--work-dir', str(tiny_study['work'])]) == 0
    out = capsys.readouterr().out
    assert 'study tiny' in out and ': 8 runs' in out
    assert '8 finished (skipped), 0 started earlier' in out
    assert 'default/default: 2 methods x 2 seeds x 2 task order(s)' in out


def test_a_failing_run_is_reported_while_the_others_finish(
        tiny_data_root, tmp_path, capsys):
    ft = tiny_method(tmp_path, 'configs/baselines/finetune_r18_synthetic.py',
                     tiny_data_root, 'ft')
    config = write_study(
        tmp_path / 'fails.py', name='fails', naive='FT', seeds=[0],
        methods=dict(FT=ft, Broken=dict(config=ft, options={
            'train_cfg.type': 'NoSuchLoop'})))
    code = study_tool().main([config, '--work-dir', str(tmp_path / 'work'),
                              '--workers', '2', '--threads', '1'])
    out = capsys.readouterr().out
    assert code == 1
    root = tmp_path / 'work' / 'fails' / 'default' / 'default' / \
        'config-order'
    assert load_run(str(root / 'FT' / 'seed0')).complete
    log = root / 'Broken' / 'seed0' / 'study.log'
    assert 'NoSuchLoop' in log.read_text()
    listed = out[out.index('1 run(s) failed'):]
    assert 'fails/default/default/config-order/Broken/seed0' in listed
    assert str(log) in listed and 'NoSuchLoop' in listed
    # the report still covers what finished
    assert osp.isfile(tmp_path / 'work' / 'fails' / 'report.md')
