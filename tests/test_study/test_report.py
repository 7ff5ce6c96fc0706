"""The study report on hand-made final values: per-seed evidence, Delta_m
of the means beside the mean Delta_m, and every benchmark's fraction of
joint training's Delta_m beside the paper's figure (fast: no training)."""
import csv
import json
import os
import os.path as osp

import pytest
from mmengine.config import Config

from mmhad.study.report import PAPER_JOINT_FRACTION, StudyReport
from mmhad.study.spec import Study
from tests.test_study.helpers import TASKS

METHODS = dict(FT='configs/baselines/finetune_r18_synthetic.py',
               LwF='configs/baselines/lwf_r18_synthetic.py',
               HAD='configs/had/had_r18_synthetic.py',
               Joint='configs/baselines/joint_r18_synthetic.py')
DIRECTIONS = {'semantic': {'mIoU': 'higher'}, 'depth': {'abs_err': 'lower'},
              'normal': {'mean_angle': 'lower'}}
#: Final (mIoU, abs_err, mean_angle) per benchmark, method and seed 0, 1.
FINALS = dict(
    rooms=dict(FT=[(10, 1.0, 30), (30, 1.0, 30)],
               LwF=[(15, 1.0, 30), (30, 1.0, 30)],
               HAD=[(20, 1.0, 30), (30, 0.5, 30)],
               Joint=[(40, 0.5, 20), (60, 0.5, 15)]),
    streets=dict(FT=[(10, 1.0, 30), (10, 1.0, 30)],
                 LwF=[(12, 1.0, 30), (14, 1.0, 30)],
                 HAD=[(18, 0.8, 30), (16, 0.8, 30)],
                 Joint=[(20, 0.5, 30), (20, 0.5, 30)]))
ORDER = 'semantic-depth-normal'


def results(method, seed, final, order):
    """A finished run's lifelong_results.json in the task order ``order``
    (joint training in one phase), the given values after every phase."""
    mIoU, abs_err, angle = final
    last = dict(semantic=dict(mIoU=mIoU), depth=dict(abs_err=abs_err),
                normal=dict(mean_angle=angle))
    if method == 'Joint':
        phases = [dict(phase=1, task='+'.join(order), metrics=last)]
    else:
        phases = [dict(phase=k + 1, task=task,
                       metrics={t: last[t] for t in order[:k + 1]})
                  for k, task in enumerate(order)]
    return dict(task_order=list(order), phases=phases,
                directions=DIRECTIONS, seed=seed)


def make_study(folder, orders):
    """The study of FINALS, every run finished, in each of ``orders``."""
    study = Study(Config(dict(
        name='hand', methods=METHODS, naive='FT', joint='Joint',
        seeds=[0, 1], tasks=TASKS, orders=orders,
        benchmarks=dict(rooms=dict(dataset=dict(data_root='r')),
                        streets=dict(dataset=dict(data_root='s'))))),
        str(folder))
    for run in study.runs:
        os.makedirs(run.work_dir)
        with open(osp.join(run.work_dir, 'lifelong_results.json'), 'w') as f:
            json.dump(results(run.method, run.seed,
                              FINALS[run.benchmark][run.method][run.seed],
                              run.order), f)
    return study


@pytest.fixture
def study(tmp_path):
    return make_study(tmp_path, [TASKS])


def read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def test_per_seed_csv_holds_every_seed_of_every_benchmark(study):
    StudyReport(study).write()
    rows = read_csv(osp.join(study.root, 'per_seed.csv'))
    assert len(rows) == 2 * 4 * 2  # benchmarks x methods x seeds
    assert list(rows[0]) == [
        'benchmark', 'regime', 'order', 'method', 'seed', 'semantic/mIoU',
        'depth/abs_err', 'normal/mean_angle', 'delta_m_naive', 'delta_m_old',
        'joint_fraction', 'mean_rank'
    ]
    row = {(r['benchmark'], r['method'], r['seed']): r for r in rows}
    had = row['rooms', 'HAD', '1']
    assert (had['regime'], had['order']) == ('default', ORDER)
    # seed 1 of rooms: mIoU 30 vs 30 (0), abs_err 0.5 vs 1.0 (+50 %),
    # mean_angle 30 vs 30 (0); joint: (+100 %, +50 %, +50 %)
    assert float(had['semantic/mIoU']) == 30
    assert float(had['delta_m_naive']) == pytest.approx(50 / 3)
    assert float(had['delta_m_old']) == pytest.approx(25)
    assert float(had['joint_fraction']) == pytest.approx((50 / 3) / (200 / 3))
    # seed 0 of the streets: (+80 %, +20 %, 0) / 3 against (+100, +50, 0) / 3
    assert float(row['streets', 'HAD', '0']['joint_fraction']) == \
        pytest.approx(1 / 1.5)
    assert float(row['streets', 'Joint', '1']['delta_m_naive']) == \
        pytest.approx(50)
    # the order's own file: the same rows without the prefix
    own = read_csv(osp.join(study.root, 'rooms', 'default', ORDER,
                            'per_seed.csv'))
    assert own == [{k: v for k, v in r.items()
                    if k not in ('benchmark', 'regime', 'order')}
                   for r in rows if r['benchmark'] == 'rooms']


def test_delta_m_of_means_beside_the_mean_of_delta_m(study):
    report = StudyReport(study)
    report.write()
    rows = {(r['benchmark'], r['method'], r['figure']): r
            for r in read_csv(osp.join(study.root, 'report.csv'))}
    # rooms, HAD: per seed +33.33 % and +16.67 % (mean +25 %); the means
    # (mIoU 25 vs 20, abs_err 0.75 vs 1.0, angle 30 vs 30) give +16.67 %
    assert float(rows['rooms', 'HAD', 'delta_m_naive']['mean']) == \
        pytest.approx(25)
    of_means = rows['rooms', 'HAD', 'delta_m_naive_of_means']
    assert float(of_means['mean']) == pytest.approx(50 / 3)
    assert of_means['std'] == of_means['ci_low'] == ''
    # old tasks: +50 % and +25 % per seed; of the means (+25 %, +25 %) / 2
    assert float(rows['rooms', 'HAD', 'delta_m_old']['mean']) == \
        pytest.approx(37.5)
    assert float(rows['rooms', 'HAD', 'delta_m_old_of_means']['mean']) == \
        pytest.approx(25)
    text = open(osp.join(study.root, 'report.md')).read()
    assert 'Δm of means, all tasks (%)' in text
    # 95 % t-intervals over the two seeds: mean ± t(0.975, 1) s / √2, t =
    # 12.706: 25 ± 12.706 * 11.785 / 1.414 and 37.5 ± 12.706 * 17.678 /
    # 1.414 (two seeds say little: the intervals are wide)
    assert '| HAD | +25.00 ± 11.79 | [-80.89, +130.89] | +16.67 | ' \
        '+37.50 ± 17.68 | [-121.33, +196.33] | +25.00 |' in text
    # the report tool's table of the order says the same
    table = open(osp.join(study.root, 'rooms', 'default', ORDER,
                          'report.md')).read()
    assert '| 25.00 ± 11.79 | 16.67 | 37.50 ± 17.68 | 25.00 | 0.26 |' in table


def test_every_benchmark_joint_fraction_beside_the_papers(study):
    report = StudyReport(study)
    table = report.joint_markdown()
    assert ('| method | rooms / default | streets / default | '
            'paper (NYUv2, ResNet-18) |') in table
    # ratio of the mean Delta_m, and the exact bootstrap interval over the
    # two seeds (the four resamples' ratios: 6/23, 1/4 and 9/35 twice).
    # rooms: HAD 25 / 97.22; streets: HAD 30 / 50, LwF 10 / 50;
    # rooms LwF: (50/3 + 0) / 2 over 97.22, per seed 6/46 and 0
    assert '| LwF | 0.09 [0.00, 0.13] | 0.20 [0.13, 0.27] | 0.61 |' in table
    assert '| HAD | 0.26 [0.25, 0.26] | 0.60 [0.53, 0.67] | 0.80 |' in table
    # naive fine-tuning (0) and joint training (1) are not rows
    assert '| FT |' not in table and '| Joint |' not in table
    assert table in report.to_markdown()
    assert report.to_dict()['paper_joint_fraction'] == dict(
        figures=PAPER_JOINT_FRACTION, setting='NYUv2, ResNet-18')


def test_a_study_gives_its_own_paper_figures(study):
    study.report_cfg = dict(paper_joint_fraction=dict(LwF=0.5),
                            paper_setting='elsewhere')
    table = StudyReport(study).joint_markdown()
    assert 'paper (elsewhere) |' in table
    assert '| LwF | 0.09 [0.00, 0.13] | 0.20 [0.13, 0.27] | 0.50 |' in table
    assert '| HAD | 0.26 [0.25, 0.26] | 0.60 [0.53, 0.67] | – |' in table


def test_over_orders_delta_m_of_means_is_the_mean_of_each_orders(tmp_path):
    study = make_study(tmp_path, [TASKS, ['normal', 'semantic', 'depth']])
    text = StudyReport(study).to_markdown()
    over = text[text.index('### Averaged over 2 task orders'):]
    # rooms, HAD, old tasks. Order semantic-depth-normal (old: semantic,
    # depth): per seed +50 % and +25 %, of the means +25 %. Order
    # normal-semantic-depth (old: normal, semantic): per seed mIoU +100 %
    # and 0, mean_angle 0 and 0, so +50 % and 0; of the means
    # (+25 % + 0) / 2 = +12.5 %. Per seed over orders: +50 %, +12.5 %.
    had = [line for line in over.splitlines()
           if line.startswith('| HAD |')][0]
    # 31.25 ± 12.706 * 26.517 / 1.414
    assert '| +31.25 ± 26.52 | [-206.99, +269.49] | +18.75 |' in had
    # all tasks: the same metrics in both orders, +16.67 % of the means
    assert had.startswith('| HAD | +25.00 ± 11.79 | [-80.89, +130.89] | '
                          '+16.67 |')


def test_a_partial_study_reports_what_finished_and_says_what_is_missing(
        tmp_path):
    """Seed 0 of every method finished, seed 1 of none (one run of
    --select '*/seed0'): seed 0 is reported, marked partial."""
    study = make_study(tmp_path, [TASKS])
    for run in study.runs:
        if run.seed == 1:
            os.remove(osp.join(run.work_dir, 'lifelong_results.json'))
    report = StudyReport(study)
    text = report.to_markdown()
    rooms = text[text.index('## rooms / default'):
                 text.index('## streets / default')]
    assert '**Partial**: reported on 1 of the study\'s 2 seeds ([0])' in rooms
    assert 'FT (seeds [1])' in rooms and 'HAD (seeds [1])' in rooms
    # seed 0 of rooms: HAD's mIoU 20 vs 10 (+100 %), the rest equal
    had = [line for line in rooms.splitlines() if line.startswith('| HAD |')]
    assert had[0].startswith('| HAD | +33.33 |')
    group = report.groups[0]
    assert group.partial and group.seeds == [0]
    assert group.to_dict()['partial'] is True
    # nothing of the naive method: nothing to report, and why
    for run in study.runs:
        if run.method == 'FT' and run.seed == 0:
            os.remove(osp.join(run.work_dir, 'lifelong_results.json'))
    text = StudyReport(study).to_markdown()
    assert 'Nothing to report yet: no seed of the naive method FT' in text


def test_a_complete_study_is_not_marked_partial(study):
    assert 'Partial' not in StudyReport(study).to_markdown()


def test_pairs_state_what_their_number_of_seeds_can_show(study):
    study.report_cfg = dict(pairs=[('HAD', 'LwF')])
    text = StudyReport(study).to_markdown()
    pairs = text[text.index('### Paired comparisons'):]
    # two seeds: at best p = 2 / 2^2 = 0.5, never below 0.05
    assert 'it needs at least 6 to be able to reach p < 0.05' in pairs
    assert '| 0.5 (cannot reach 0.05) |' in pairs
    # 1 pair x 3 figures
    assert '3 comparisons are made here' in pairs
    assert 'each would need p < 0.017 (Bonferroni)' in pairs
