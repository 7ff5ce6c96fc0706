"""Run one config over several seeds and task orders; report mean +- std.

Example::

    python tools/analysis/sweep.py configs/had/had_r18_synthetic.py \\
        --seeds 0 1 2 --orders semantic,depth,normal depth,normal,semantic \\
        --work-dir work_dirs/sweep_had --cfg-options train_cfg.max_epochs=5

Each run trains with ``tools/train.py`` into
``<work-dir>/<order>/seed<s>/`` (a run whose ``lifelong_results.json`` is
already complete is not repeated), then ``<work-dir>/sweep.md`` and
``sweep.json`` list the mean and standard deviation over seeds of every
summary figure (final values, forgetting, backward transfer), per order.
"""
import argparse
import json
import os.path as osp
import subprocess
import sys

from mmhad.evaluation.lifelong_report import (RESULTS_FILE, aggregate_runs,
                                              load_run)

TRAIN = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'train.py')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Repeat a lifelong config over seeds and task orders')
    parser.add_argument('config')
    parser.add_argument('--seeds', nargs='+', type=int, default=[4])
    parser.add_argument(
        '--orders', nargs='+', default=None,
        help='comma-separated task orders (default: the config\'s)')
    parser.add_argument('--work-dir', required=True)
    parser.add_argument(
        '--cfg-options', nargs='+', default=[],
        help='passed on to tools/train.py')
    return parser.parse_args(argv)


def train(config: str, work_dir: str, options) -> None:
    """``tools/train.py config`` into ``work_dir`` with ``--cfg-options``,
    unless that run has already finished there."""
    path = osp.join(work_dir, RESULTS_FILE)
    if osp.isfile(path) and load_run(path).complete:
        print(f'[sweep] {work_dir} already finished; reusing it', flush=True)
        return
    # --resume continues a run that was killed (or starts a new one).
    cmd = [sys.executable, TRAIN, config, '--work-dir', work_dir, '--resume',
           '--cfg-options'] + list(options)
    print('[sweep] ' + ' '.join(cmd), flush=True)
    subprocess.run(cmd, check=True)


def main(argv=None):
    args = parse_args(argv)
    orders = args.orders or [None]
    report = {}
    lines = [f'# Sweep of {args.config}', '']
    for order in orders:
        label = order.replace(',', '-') if order else 'config-order'
        dirs = []
        for seed in args.seeds:
            work_dir = osp.join(args.work_dir, label, f'seed{seed}')
            options = [f'randomness.seed={seed}'] + list(args.cfg_options)
            if order is not None:
                options.append(f'train_cfg.task_order=[{order}]')
            train(args.config, work_dir, options)
            dirs.append(work_dir)
        stats = aggregate_runs([load_run(d) for d in dirs])
        report[label] = {
            k: dict(mean=m, std=s, n=n) for k, (m, s, n) in stats.items()
        }
        lines += [f'## order {label}, seeds {args.seeds}', '',
                  '| figure | mean ± std |', '|---|---:|']
        lines += [f'| {k} | {m:.4f} ± {s:.4f} |'
                  for k, (m, s, _) in stats.items()]
        lines.append('')
    with open(osp.join(args.work_dir, 'sweep.json'), 'w') as f:
        json.dump(report, f, indent=2)
    with open(osp.join(args.work_dir, 'sweep.md'), 'w') as f:
        f.write('\n'.join(lines))
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
