"""Lifelong figures against hand-computed values."""
import csv
import io
import json
import math
import os.path as osp
import sys

import pytest

from mmhad.evaluation.lifelong_report import (LifelongReport, SeedReport,
                                              aggregate_runs, load_run,
                                              order_markdown, retention)
from mmhad.evaluation.lifelong_summary import (LifelongRecord, delta_m,
                                               mean_ranks)
from tests.conftest import REPO_ROOT

sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'analysis'))
import lifelong_report  # noqa: E402

DIRECTIONS = {
    'semantic': {'mIoU': 'higher'},
    'depth': {'abs_err': 'lower'},
    'normal': {'mean_angle': 'lower'},
}


def make_record(sem, dep, nor, source='<memory>'):
    """Three phases; sem/dep/nor list the values after each phase where the
    task exists (3, 2 and 1 values)."""
    phases = []
    for t, name in enumerate(['semantic', 'depth', 'normal']):
        metrics = {'semantic': {'mIoU': sem[t]}}
        if t >= 1:
            metrics['depth'] = {'abs_err': dep[t - 1]}
        if t >= 2:
            metrics['normal'] = {'mean_angle': nor[0]}
        phases.append(dict(phase=t + 1, task=name, metrics=metrics))
    return LifelongRecord(['semantic', 'depth', 'normal'], phases, DIRECTIONS,
                          source)


def test_matrices_have_none_before_a_task_arrives():
    record = make_record([40, 30, 20], [0.5, 0.7], [30])
    assert record.matrices() == {
        'semantic': {'mIoU': [40, 30, 20]},
        'depth': {'abs_err': [None, 0.5, 0.7]},
        'normal': {'mean_angle': [None, None, 30]},
    }


def test_forgetting_is_positive_when_worse_for_both_directions():
    # mIoU 40 -> 45 -> 20: best earlier 45, final 20: forgot 25.
    # abs_err 0.5 -> 0.7 (lower is better): forgot +0.2, not -0.2.
    summary = make_record([40, 45, 20], [0.5, 0.7], [30]).summary()
    assert summary['forgetting']['semantic']['mIoU'] == pytest.approx(25)
    assert summary['forgetting']['depth']['abs_err'] == pytest.approx(0.2)
    # the last task cannot have forgotten anything
    assert 'normal' not in summary['forgetting']
    # backward transfer: final - learned, positive = better
    assert summary['backward_transfer']['semantic']['mIoU'] == pytest.approx(
        -20)
    assert summary['backward_transfer']['depth']['abs_err'] == pytest.approx(
        -0.2)
    # relative averages: forgetting 25/45 and 0.2/0.5;
    # transfer -20/40, -0.2/0.5
    avg = summary['average']
    assert avg['forgetting_pct'] == pytest.approx((25 / 45 + 0.4) / 2 * 100)
    assert avg['backward_transfer_pct'] == pytest.approx(
        (-0.5 - 0.4) / 2 * 100)


def test_improving_lower_is_better_metric_gives_negative_forgetting():
    summary = make_record([40, 40, 40], [0.7, 0.5], [30]).summary()
    assert summary['forgetting']['depth']['abs_err'] == pytest.approx(-0.2)
    assert summary['forgetting']['semantic']['mIoU'] == 0


def test_delta_m_signs_and_self_comparison():
    ref = {'semantic': {'mIoU': 20.0}, 'depth': {'abs_err': 1.0}}
    run = {'semantic': {'mIoU': 30.0}, 'depth': {'abs_err': 0.5}}
    # (+0.5 + +0.5) / 2 = +50 %
    assert delta_m(run, ref, DIRECTIONS) == pytest.approx(50.0)
    worse = {'semantic': {'mIoU': 10.0}, 'depth': {'abs_err': 1.5}}
    assert delta_m(worse, ref, DIRECTIONS) == pytest.approx(-50.0)
    assert delta_m(ref, ref, DIRECTIONS) == 0.0
    with pytest.raises(KeyError, match='depth/abs_err'):
        delta_m({'semantic': {'mIoU': 1.0}}, ref, DIRECTIONS)


def test_mean_rank_with_ties():
    a = {'semantic': {'mIoU': 30.0}, 'depth': {'abs_err': 0.5}}
    b = {'semantic': {'mIoU': 20.0}, 'depth': {'abs_err': 0.5}}
    c = {'semantic': {'mIoU': 10.0}, 'depth': {'abs_err': 0.4}}
    # mIoU ranks 1, 2, 3; abs_err: c best (1), a and b tie for 2-3 (2.5)
    assert mean_ranks([a, b, c], DIRECTIONS) == pytest.approx(
        [(1 + 2.5) / 2, (2 + 2.5) / 2, (3 + 1) / 2])


def write_run(tmp_path, name, record):
    folder = tmp_path / name
    folder.mkdir()
    (folder / 'lifelong_results.json').write_text(
        json.dumps(
            dict(
                task_order=record.task_order,
                phases=record.phases,
                directions=record.directions)))
    return str(folder)


def test_report_rows_csv_and_refusals(tmp_path):
    naive = write_run(tmp_path, 'finetune',
                      make_record([40, 20, 10], [0.5, 1.0], [30]))
    had = write_run(tmp_path, 'had',
                    make_record([40, 35, 30], [0.5, 0.6], [31]))
    report = LifelongReport([load_run(had)], load_run(naive))
    rows = {r['name']: r for r in report.rows()}
    assert list(rows) == ['finetune', 'had']
    assert rows['finetune']['delta_m_naive'] == 0.0
    # (30-10)/10 = +2, -(0.6-1.0)/1.0 = +0.4, -(31-30)/30 = -1/30
    assert rows['had']['delta_m_naive'] == pytest.approx(
        100 * (2 + 0.4 - 1 / 30) / 3)
    # old tasks only (semantic, depth): the new task's -1/30 is left out
    assert rows['had']['delta_m_old'] == pytest.approx(100 * (2 + 0.4) / 2)
    assert rows['had']['mean_rank'] == pytest.approx((1 + 1 + 2) / 3)
    csv_lines = report.to_csv().splitlines()
    assert csv_lines[0].startswith('method,semantic/mIoU,depth/abs_err')
    assert csv_lines[2].startswith('had,30')
    assert '| had |' in report.to_markdown()

    other_order = LifelongRecord(
        ['depth', 'semantic', 'normal'],
        [dict(phase=i + 1, task=t, metrics={})
         for i, t in enumerate(['depth', 'semantic', 'normal'])],
        DIRECTIONS, 'other')
    with pytest.raises(ValueError, match='different task sets or orders'):
        LifelongReport([other_order], load_run(naive))


def test_single_task_reference(tmp_path):
    naive = load_run(
        write_run(tmp_path, 'ft', make_record([40, 20, 10], [0.5, 1.0],
                                              [30])))
    singles = []
    for task, metric, value in [('semantic', 'mIoU', 50.0),
                                ('depth', 'abs_err', 0.5),
                                ('normal', 'mean_angle', 30.0)]:
        singles.append(
            LifelongRecord([task], [
                dict(phase=1, task=task, metrics={task: {metric: value}})
            ], DIRECTIONS, f'single_{task}'))
    report = LifelongReport([], naive, single_task=singles)
    # (10-50)/50 = -0.8, -(1.0-0.5)/0.5 = -1, 0
    assert report.rows()[0]['delta_m_single'] == pytest.approx(
        100 * (-0.8 - 1.0 + 0.0) / 3)
    with pytest.raises(ValueError, match="no single-task run for \\['normal'"):
        LifelongReport([], naive, single_task=singles[:2])


def test_aggregate_mean_and_std():
    runs = [
        make_record([40, 30, 20], [0.5, 0.7], [30]),
        make_record([40, 30, 30], [0.5, 0.5], [34]),
    ]
    stats = aggregate_runs(runs)
    mean, std, n = stats['final/semantic/mIoU']
    assert (mean, n) == (25, 2)
    assert std == pytest.approx(math.sqrt(50))
    assert stats['forgetting/depth/abs_err'][0] == pytest.approx(0.1)


def test_broken_results_file_is_named(tmp_path):
    path = tmp_path / 'lifelong_results.json'
    path.write_text('{"task_order": []')
    with pytest.raises(ValueError, match='lifelong_results.json is damaged'):
        load_run(str(tmp_path))
    with pytest.raises(FileNotFoundError, match='nothere'):
        load_run(str(tmp_path / 'nothere'))


def test_seed_report_pairs_each_seed_with_its_own_naive_run(tmp_path):
    naive = [load_run(write_run(tmp_path, f'ft{s}', make_record(
        [40, 20, sem], [0.5, 1.0], [30]))) for s, sem in enumerate([10, 20])]
    had = [load_run(write_run(tmp_path, f'had{s}', make_record(
        [40, 35, 30], [0.5, dep], [30]))) for s, dep in enumerate([0.5, 1.5])]
    report = SeedReport([had], naive, names=['HAD'])
    figures = report.figures()['HAD']
    # seed 0: mIoU +200 %, abs_err +50 %; seed 1: +50 %, -50 %
    old = [100 * (2 + 0.5) / 2, 100 * (0.5 - 0.5) / 2]
    mean = sum(old) / 2
    std = ((old[0] - mean)**2 + (old[1] - mean)**2)**0.5
    assert figures['delta_m_old'] == pytest.approx((mean, std))
    assert figures['semantic/mIoU'] == pytest.approx((30, 0))
    assert figures['depth/abs_err'] == pytest.approx((1.0, 0.5**0.5))
    table = report.to_markdown()
    assert '| HAD | 30.00 ± 0.00 | 1.00 ± 0.71 |' in table
    assert 'Mean ± std over 2 seeds' in table
    with pytest.raises(ValueError, match='one run per seed'):
        SeedReport([had[:1]], naive, names=['HAD'])


def test_seed_report_ranks_every_row_and_divides_by_joint(tmp_path):
    naive = [load_run(write_run(tmp_path, f'ft{s}', make_record(
        [40, 20, 10], [0.5, 1.0], [30]))) for s in range(2)]
    had = [load_run(write_run(tmp_path, f'had{s}', make_record(
        [40, 35, sem], [0.5, 1.0], [30]))) for s, sem in enumerate([15, 12])]
    joint = [load_run(write_run(tmp_path, f'joint{s}', make_record(
        [40, 40, 20], [0.5, 0.5], [20]))) for s in range(2)]
    report = SeedReport([had, joint], naive, names=['HAD', 'Joint'],
                        naive_name='FT', joint='Joint')
    figures = report.figures()
    # Delta_m over mIoU, abs_err, mean_angle: HAD (+50 %, 0, 0) / 3 and
    # (+20 %, 0, 0) / 3; joint (+100 %, +50 %, +33.3 %) / 3 in both seeds
    had_dm = [50 / 3, 20 / 3]
    joint_dm = (100 + 50 + 100 / 3) / 3
    assert figures['HAD']['delta_m_naive'][0] == pytest.approx(35 / 3)
    assert figures['HAD']['joint_fraction'][0] == pytest.approx(
        sum(had_dm) / 2 / joint_dm)
    assert figures['Joint']['joint_fraction'][0] == pytest.approx(1.0)
    assert figures['FT']['joint_fraction'][0] == pytest.approx(0.0)
    # ranks per metric: mIoU joint 1, HAD 2, FT 3; abs_err and mean_angle
    # joint 1, HAD and FT tied at 2.5
    assert figures['Joint']['mean_rank'] == pytest.approx((1.0, 0.0))
    assert figures['HAD']['mean_rank'][0] == pytest.approx((2 + 5) / 3)
    assert figures['FT']['mean_rank'][0] == pytest.approx((3 + 5) / 3)
    table = report.to_markdown()
    assert table.index('| FT |') < table.index('| HAD |')
    assert 'Mean Rank' in table and "Δm / joint's Δm" in table
    rows = {r['method']: r for r in csv.DictReader(
        io.StringIO(report.to_csv()))}
    assert float(rows['HAD']['joint_fraction_mean']) == pytest.approx(
        sum(had_dm) / 2 / joint_dm)
    with pytest.raises(ValueError, match="joint='Upper'"):
        SeedReport([had], naive, names=['HAD'], joint='Upper')


def test_report_tool_takes_comma_separated_seeds(tmp_path):
    naive = [write_run(tmp_path, f'ft{s}', make_record(
        [40, 20, 10], [0.5, 1.0], [30])) for s in range(2)]
    had = [write_run(tmp_path, f'had{s}', make_record(
        [40, 35, 30], [0.5, 0.6], [31])) for s in range(2)]
    out = tmp_path / 'report'
    lifelong_report.main([','.join(had), '--naive', ','.join(naive),
                          '--names', 'HAD', '--out-dir', str(out)])
    table = (out / 'report.md').read_text()
    assert '| HAD | 30.00 ± 0.00 | 0.60 ± 0.00 | 31.00 ± 0.00 |' in table
    assert (out / 'delta_m.png').stat().st_size > 0


def seeds_of(tmp_path, name, finals, seeds=None):
    """One run per seed with the given final (mIoU, abs_err, mean_angle);
    ``seeds``: the seed each results file records (none by default)."""
    dirs = []
    for i, (sem, dep, nor) in enumerate(finals):
        folder = write_run(tmp_path, f'{name}{i}', make_record(
            [50, 40, sem], [0.5, dep], [nor]))
        if seeds is not None:
            path = osp.join(folder, 'lifelong_results.json')
            data = json.load(open(path))
            data['seed'] = seeds[i]
            with open(path, 'w') as f:
                json.dump(data, f)
        dirs.append(folder)
    return dirs


# Two seeds where the mean of the per-seed Delta_m and Delta_m of the
# seed-averaged values differ: naive mIoU 10 in seed 0 and 30 in seed 1.
# HAD: seed 0 (+100 %, 0, 0) / 3 = +33.33 %, old tasks +50 %; seed 1
# (0, +50 %, 0) / 3 = +16.67 %, old +25 %; mean +25 %, old +37.5 %.
# Of the means: mIoU 25 vs 20 (+25 %), abs_err 0.75 vs 1.0 (+25 %), angle
# 30 vs 30: +16.67 %, old tasks +25 %.
# Joint: seed 0 (+300 %, +50 %, +33.33 %) / 3 = +127.78 %, seed 1
# (+100 %, +50 %, +50 %) / 3 = +66.67 %; HAD's fraction 6/23 and 1/4 per
# seed, 25 / 97.22 = 0.2571 of the means.
FT_FINALS = [(10, 1.0, 30), (30, 1.0, 30)]
HAD_FINALS = [(20, 1.0, 30), (30, 0.5, 30)]
JOINT_FINALS = [(40, 0.5, 20), (60, 0.5, 15)]


def test_seed_report_gives_delta_m_of_means_beside_mean_delta_m(tmp_path):
    report = SeedReport(
        [[load_run(d) for d in seeds_of(tmp_path, 'had', HAD_FINALS)],
         [load_run(d) for d in seeds_of(tmp_path, 'joint', JOINT_FINALS)]],
        [load_run(d) for d in seeds_of(tmp_path, 'ft', FT_FINALS)],
        ['HAD', 'Joint'], naive_name='FT', joint='Joint')
    had = report.figures()['HAD']
    assert had['delta_m_naive'] == pytest.approx((25, 50 / 3 / 2**0.5))
    assert had['delta_m_naive_of_means'] == (pytest.approx(50 / 3), None)
    assert had['delta_m_old'][0] == pytest.approx(37.5)
    assert had['delta_m_old_of_means'] == (pytest.approx(25), None)
    assert had['joint_fraction'] == (pytest.approx(25 / (1750 / 18)), None)
    joint = report.figures()['Joint']
    # of the means: mIoU 50 vs 20, abs_err 0.5 vs 1.0, angle 17.5 vs 30
    assert joint['delta_m_naive_of_means'][0] == pytest.approx(
        100 * (1.5 + 0.5 + 12.5 / 30) / 3)
    table = report.to_markdown()
    assert ('| HAD | 25.00 ± 7.07 | 0.75 ± 0.35 | 30.00 ± 0.00 | '
            '25.00 ± 11.79 | 16.67 | 37.50 ± 17.68 | 25.00 | 0.26 |') in table
    assert 'Δm of means vs naive (%)' in table
    rows = {r['method']: r for r in csv.DictReader(
        io.StringIO(report.to_csv()))}
    assert float(rows['HAD']['delta_m_naive_of_means_mean']) == \
        pytest.approx(50 / 3)
    assert float(rows['HAD']['delta_m_old_of_means_mean']) == \
        pytest.approx(25)
    assert rows['HAD']['delta_m_naive_of_means_std'] == ''
    # one seed: the two coincide, and the table leaves the copy out
    one = SeedReport([report.per_seed[0].runs[1:2]],
                     report.per_seed[0].runs[:1], ['HAD'])
    figures = one.figures()['HAD']
    assert figures['delta_m_naive_of_means'][0] == pytest.approx(100 / 3)
    assert figures['delta_m_naive'][0] == pytest.approx(100 / 3)
    assert 'of means' not in one.to_markdown()


def test_report_tool_writes_every_seed_to_per_seed_csv(tmp_path):
    ft = seeds_of(tmp_path, 'ft', FT_FINALS, seeds=[3, 7])
    had = seeds_of(tmp_path, 'had', HAD_FINALS, seeds=[3, 7])
    joint = seeds_of(tmp_path, 'joint', JOINT_FINALS, seeds=[3, 7])
    out = tmp_path / 'report'
    lifelong_report.main([','.join(had), ','.join(joint), '--naive',
                          ','.join(ft), '--naive-name', 'FT', '--names',
                          'HAD', 'Joint', '--joint', 'Joint', '--out-dir',
                          str(out)])
    rows = list(csv.DictReader(open(out / 'per_seed.csv')))
    assert list(rows[0]) == [
        'method', 'seed', 'semantic/mIoU', 'depth/abs_err',
        'normal/mean_angle', 'delta_m_naive', 'delta_m_old',
        'joint_fraction', 'mean_rank'
    ]
    # the seeds the results files record
    assert [(r['method'], r['seed']) for r in rows] == [
        ('FT', '3'), ('FT', '7'), ('HAD', '3'), ('HAD', '7'),
        ('Joint', '3'), ('Joint', '7')
    ]
    had0, had1 = rows[2], rows[3]
    assert [float(had0[k]) for k in ('semantic/mIoU', 'depth/abs_err',
                                     'normal/mean_angle')] == [20, 1.0, 30]
    assert float(had0['delta_m_naive']) == pytest.approx(100 / 3)
    assert float(had1['delta_m_naive']) == pytest.approx(50 / 3)
    assert float(had0['delta_m_old']) == pytest.approx(50)
    assert float(had1['delta_m_old']) == pytest.approx(25)
    assert float(had0['joint_fraction']) == pytest.approx(6 / 23)
    assert float(had1['joint_fraction']) == pytest.approx(0.25)
    # seed 3: HAD second on mIoU, tied with FT behind joint on the others
    assert float(had0['mean_rank']) == pytest.approx((2 + 2.5 + 2.5) / 3)
    assert float(rows[4]['delta_m_naive']) == pytest.approx(1150 / 9)
    # the report's means are the means of these rows
    means = {r['method']: r for r in csv.DictReader(open(out /
                                                         'report.csv'))}
    assert float(means['HAD']['delta_m_naive_mean']) == pytest.approx(
        (float(had0['delta_m_naive']) + float(had1['delta_m_naive'])) / 2)
    # --seeds names the positions instead
    lifelong_report.main([','.join(had), '--naive', ','.join(ft),
                          '--names', 'HAD', '--seeds', '0', '1',
                          '--out-dir', str(out)])
    rows = list(csv.DictReader(open(out / 'per_seed.csv')))
    assert [r['seed'] for r in rows] == ['0', '1', '0', '1']
    assert 'joint_fraction' not in rows[0]


def test_retention_is_the_kept_share_of_each_old_task():
    # mIoU 40 -> 30 -> 20 keeps 50 %; abs_err 0.5 -> 1.0 (lower is
    # better) keeps 0.5 / 1.0 = 50 % too; normal was learned last
    kept = retention(make_record([40, 30, 20], [0.5, 1.0], [30]))
    assert kept == pytest.approx({'semantic/mIoU': 50.0,
                                  'depth/abs_err': 50.0})


def test_order_table_puts_orders_side_by_side(tmp_path):
    reports, naive = {}, {}
    for order, sem in (('a', 10), ('b', 20)):
        ft = [load_run(write_run(tmp_path, f'ft{order}', make_record(
            [40, 20, sem], [0.5, 1.0], [30])))]
        had = [load_run(write_run(tmp_path, f'had{order}', make_record(
            [40, 35, 2 * sem], [0.5, 1.0], [30])))]
        reports[order] = SeedReport([had], ft, ['HAD'], naive_name='FT')
        naive[order] = ft
    text = order_markdown(reports, naive)
    # HAD doubles mIoU in both orders: Delta_m = 100 % / 3 metrics
    assert '| HAD | +33.33 | +33.33 | +33.33 |' in text
    assert '| FT | +0.00 | +0.00 | +0.00 |' in text
    assert '| a | semantic/mIoU: 25.0 % | depth/abs_err: 50.0 % |' in text
    assert '| b | semantic/mIoU: 50.0 % |' in text


def test_one_seed_table_has_no_spread(tmp_path):
    naive = [load_run(write_run(tmp_path, 'ft', make_record(
        [40, 20, 10], [0.5, 1.0], [30])))]
    had = [load_run(write_run(tmp_path, 'had', make_record(
        [40, 35, 20], [0.5, 1.0], [30])))]
    table = SeedReport([had], naive, ['HAD'], naive_name='FT').to_markdown()
    assert '±' not in table and 'Final values; Δm against naive' in table
    assert '| HAD | 20.00 |' in table
