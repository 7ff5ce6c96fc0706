"""Compare lifelong runs in the shape of the paper's main table.

Example::

    python tools/analysis/lifelong_report.py \\
        work_dirs/had_r18_synthetic work_dirs/lwf_r18_synthetic \\
        --naive work_dirs/finetune_r18_synthetic \\
        --single-task work_dirs/single_semantic work_dirs/single_depth \\
                      work_dirs/single_normal \\
        --out-dir work_dirs/report

writes ``report.md``, ``report.csv``, one ``curves_<task>.png`` per task
(every method across phases) and one ``matrix_<run>.png`` per run.

``--joint NAME`` adds each method's Δm as a fraction of joint training's
(the row named NAME) and gives the several-seed table, for one seed too.

Several seeds: give each method (and ``--naive``) as comma-separated work
dirs, one per seed in the same seed order; ``report.md`` then holds mean ±
std over seeds, each seed compared with the naive run of the same seed, and
Δm of the seed-averaged final values beside the mean Δm::

    python tools/analysis/lifelong_report.py had/s0,had/s1,had/s2 \
        lwf/s0,lwf/s1,lwf/s2 --naive ft/s0,ft/s1,ft/s2 --names HAD LwF

The several-seed report (and the ``--joint`` one) also writes
``per_seed.csv``: every method's final values, Δm and fraction of joint's
Δm seed by seed, the values the means of ``report.md`` are taken from.
"""
import argparse
import os
import os.path as osp
import re

from mmhad.evaluation.lifelong_report import (LifelongReport, SeedReport,
                                              load_run, run_name)
from mmhad.visualization.lifelong_plots import (plot_matrix_heatmap,
                                                plot_seed_bars,
                                                plot_task_curves)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Lifelong comparison table (Delta_m, Mean Rank) and plots')
    parser.add_argument(
        'runs', nargs='+', help='work dirs (or lifelong_results.json files)')
    parser.add_argument(
        '--naive', required=True, help='the naive fine-tuning run')
    parser.add_argument(
        '--single-task', nargs='+', default=[],
        help='one single-task run per task, for Delta_m vs single-task')
    parser.add_argument(
        '--names', nargs='+', help='row names (default: the dirs\' names)')
    parser.add_argument(
        '--naive-name', default='naive',
        help='name of the naive row in a several-seed report')
    parser.add_argument(
        '--joint', help='the row (a --names entry) of joint training: each '
        'method\'s Δm is also given as a fraction of its Δm')
    parser.add_argument(
        '--seeds', nargs='+', help='the seed of each comma-separated '
        'position, for per_seed.csv (default: the seeds the naive runs '
        'record, else 0, 1, ...)')
    parser.add_argument(
        '--out-dir', default='work_dirs/lifelong_report',
        help='where report.md, report.csv and the PNGs go')
    return parser.parse_args(argv)


def seed_report(args) -> None:
    """Mean ± std over seeds (comma-separated work dirs)."""
    groups = [[load_run(p) for p in run.split(',')] for run in args.runs]
    names = args.names or [run_name(g[0]) for g in groups]
    report = SeedReport(groups,
                        [load_run(p) for p in args.naive.split(',')], names,
                        naive_name=args.naive_name, joint=args.joint,
                        seeds=args.seeds)
    os.makedirs(args.out_dir, exist_ok=True)
    path = osp.join(args.out_dir, 'report.md')
    for name, text in (('report.md', report.to_markdown()),
                       ('report.csv', report.to_csv()),
                       ('per_seed.csv', report.per_seed_csv())):
        with open(osp.join(args.out_dir, name), 'w') as f:
            f.write(text)
    keys = dict(delta_m_naive='all tasks')
    if report.old_tasks:
        keys['delta_m_old'] = f'old tasks ({", ".join(report.old_tasks)})'
    plot = osp.join(args.out_dir, 'delta_m.png')
    plot_seed_bars(report.figures(), keys,
                   f'Δm vs naive fine-tuning (%), mean ± std over '
                   f'{report.num_seeds} seeds', plot)
    print(report.to_markdown())
    print(f'written: {path}, report.csv, per_seed.csv, {plot}')


def main(argv=None):
    args = parse_args(argv)
    if args.joint or any(',' in run for run in args.runs + [args.naive]):
        seed_report(args)  # also one seed: joint fractions need its table
        return
    report = LifelongReport(
        [load_run(p) for p in args.runs],
        load_run(args.naive),
        names=args.names,
        single_task=[load_run(p) for p in args.single_task])
    os.makedirs(args.out_dir, exist_ok=True)
    written = []
    for name, text in (('report.md', report.to_markdown()),
                       ('report.csv', report.to_csv())):
        path = osp.join(args.out_dir, name)
        with open(path, 'w') as f:
            f.write(text)
        written.append(path)
    for task in report.naive.task_order:
        path = osp.join(args.out_dir, f'curves_{task}.png')
        plot_task_curves(report.runs, report.names, task, path)
        written.append(path)
    for record, name in zip(report.runs, report.names):
        # row names may hold spaces or brackets; file names do not
        safe = re.sub(r'[^A-Za-z0-9_.-]+', '_', name).strip('_')
        path = osp.join(args.out_dir, f'matrix_{safe}.png')
        plot_matrix_heatmap(record, name, path)
        written.append(path)
    print(report.to_markdown())
    print('written:\n  ' + '\n  '.join(written))


if __name__ == '__main__':
    main()
