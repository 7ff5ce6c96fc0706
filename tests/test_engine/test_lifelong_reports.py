"""Lifelong reports from real (tiny) runs: JSON schema, logs, visualizer
scalars, the report tool and the sweep tool."""
import csv
import glob
import json
import os
import os.path as osp
import sys

import pytest

from mmhad.engine import LifelongRunner
from mmhad.evaluation.lifelong_report import aggregate_runs, load_run
from tests.conftest import REPO_ROOT, tiny_cfg

sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'analysis'))
import lifelong_report  # noqa: E402
import sweep  # noqa: E402


def train(config, data_root, work_dir):
    runner = LifelongRunner.from_cfg(tiny_cfg(config, data_root, work_dir))
    runner.train()
    return str(work_dir)


@pytest.fixture(scope='module')
def runs(tiny_data_root, tmp_path_factory):
    base = tmp_path_factory.mktemp('runs')
    return dict(
        finetune=train('configs/baselines/finetune_r18_synthetic.py',
                       tiny_data_root, base / 'finetune'),
        had=train('configs/had/had_r18_synthetic.py', tiny_data_root,
                  base / 'had'))


def read_json(work_dir):
    with open(osp.join(work_dir, 'lifelong_results.json')) as f:
        return json.load(f)


def test_json_keeps_phases_and_adds_matrices_and_summary(runs):
    results = read_json(runs['had'])
    assert results['seed'] == 4
    assert results['versions']['mmsegmentation'] == '1.2.2'
    assert results['directions']['depth'] == dict(
        abs_err='lower', rel_err='lower')
    phases = results['phases']
    # the matrix is the per-phase entries rearranged
    for task, series in results['matrices'].items():
        for name, values in series.items():
            for phase, value in zip(phases, values):
                assert value == phase['metrics'].get(task, {}).get(name)
    semantic = results['matrices']['semantic']['mIoU']
    assert results['summary']['forgetting']['semantic']['mIoU'] == \
        pytest.approx(max(semantic[:2]) - semantic[2])
    depth = results['matrices']['depth']['abs_err']
    assert results['summary']['forgetting']['depth']['abs_err'] == \
        pytest.approx(depth[2] - depth[1])  # lower is better
    assert 'normal' not in results['summary']['forgetting']


def test_log_names_phase_epoch_eta_and_every_loss_term(runs):
    log = glob.glob(osp.join(runs['had'], '*', '*.log'))[0]
    text = open(log).read()
    phase3 = [line for line in text.splitlines()
              if 'Phase(3/3 normal, epoch 1/1)' in line]
    assert phase3
    # the shipped default: DB for both old tasks, SG for segmentation only
    for term in ('eta:', 'new.loss.normal', 'distill.loss_db.semantic',
                 'distill.loss_sg.semantic', 'distill.loss_db.depth'):
        assert term in phase3[-1], term
    assert 'distill.loss_sg.depth' not in phase3[-1]
    assert 'Lifelong results (task x phase' in text


def test_phase_metrics_reach_the_visualizer(runs):
    path = glob.glob(
        osp.join(runs['had'], '*', 'vis_data', 'scalars.json'))[0]
    scalars = {}
    for line in open(path):
        scalars.update(json.loads(line))
    phases = read_json(runs['had'])['phases']
    assert scalars['phase3/depth/abs_err'] == pytest.approx(
        phases[2]['metrics']['depth']['abs_err'])


def test_report_tool_writes_tables_and_plots(runs, tmp_path):
    out = tmp_path / 'report'
    lifelong_report.main(
        [runs['had'], '--naive', runs['finetune'], '--out-dir',
         str(out)])
    names = sorted(os.listdir(out))
    assert names == sorted([
        'report.md', 'report.csv', 'curves_semantic.png', 'curves_depth.png',
        'curves_normal.png', 'matrix_finetune.png', 'matrix_had.png'
    ])
    for name in names:
        assert (out / name).stat().st_size > 0
    rows = {r['method']: r for r in csv.DictReader(open(out / 'report.csv'))}
    assert float(rows['finetune']['delta_m_naive']) == 0.0
    had_final = read_json(runs['had'])['phases'][-1]['metrics']
    assert float(rows['had']['depth/abs_err']) == pytest.approx(
        had_final['depth']['abs_err'])
    ranks = [float(rows[m]['mean_rank']) for m in rows]
    assert sum(ranks) == pytest.approx(3.0)  # 1 + 2 for each metric
    assert '| had |' in (out / 'report.md').read_text()


def test_sweep_repeats_seeds_and_orders(tiny_data_root, tmp_path):
    config = str(tmp_path / 'tiny_finetune.py')
    tiny_cfg('configs/baselines/finetune_r18_synthetic.py', tiny_data_root,
             tmp_path / 'unused').dump(config)
    work = tmp_path / 'sweep'
    argv = [config, '--seeds', '0', '1', '--orders', 'depth,semantic,normal',
            '--work-dir', str(work)]
    sweep.main(argv)
    dirs = [str(work / 'depth-semantic-normal' / f'seed{s}') for s in (0, 1)]
    records = [load_run(d) for d in dirs]
    assert [r.task_order for r in records] == [['depth', 'semantic',
                                                'normal']] * 2
    assert [read_json(d)['seed'] for d in dirs] == [0, 1]
    report = json.loads((work / 'sweep.json').read_text())
    expected = aggregate_runs(records)
    mean, std, n = expected['final/semantic/mIoU']
    got = report['depth-semantic-normal']['final/semantic/mIoU']
    assert (got['mean'], got['std'], got['n']) == (mean, std, n)
    # finished runs are not trained again
    stamp = os.path.getmtime(osp.join(dirs[0], 'lifelong_results.json'))
    sweep.main(argv)
    assert os.path.getmtime(osp.join(dirs[0],
                                     'lifelong_results.json')) == stamp
