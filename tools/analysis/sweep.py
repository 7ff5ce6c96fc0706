"""Run one config over several seeds and task orders; report mean +- std.

A thin alias of a one-method study (``tools/study.py`` and
``mmhad/study``), kept for its folder layout and its report. Example::

    python tools/analysis/sweep.py configs/had/had_r18_synthetic.py \\
        --seeds 0 1 2 --orders semantic,depth,normal depth,normal,semantic \\
        --work-dir work_dirs/sweep_had --cfg-options train_cfg.max_epochs=5

Each run trains with ``tools/train.py`` into
``<work-dir>/<order>/seed<s>/`` (a finished run is not repeated, a killed
one is resumed; ``--workers`` runs side by side), then
``<work-dir>/sweep.md`` and ``sweep.json`` list the mean and standard
deviation over seeds of every summary figure (final values, forgetting,
backward transfer), per order. For several methods, benchmarks or
regimes, and the paper's statistics, write a study config
(docs/en/user_guides/studies.md).
"""
import argparse
import json
import os
import os.path as osp

from mmengine.config import Config, DictAction

from mmhad.study import Study, default_workers_threads, run_local
from mmhad.study.spec import flatten


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Repeat a lifelong config over seeds and task orders')
    parser.add_argument('config')
    parser.add_argument('--seeds', nargs='+', type=int, default=[4])
    parser.add_argument(
        '--orders', nargs='+', default=None,
        help='comma-separated task orders (default: the config\'s)')
    parser.add_argument('--work-dir', required=True)
    parser.add_argument('--workers', type=int, default=1,
                        help='runs side by side (default 1)')
    parser.add_argument('--threads', type=int, default=None,
                        help='threads per run (default: CPUs / workers)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, default={},
        help='passed on to tools/train.py')
    return parser.parse_args(argv)


def build_study(args) -> Study:
    """The one-method study of a sweep, its runs in the sweep's layout."""
    method = osp.splitext(osp.basename(args.config))[0]
    cfg = Config(dict(
        name='sweep', methods={method: osp.abspath(args.config)},
        naive=method, seeds=args.seeds, orders=args.orders,
        options=flatten(dict(args.cfg_options or {})),
        keep_checkpoints=True))
    study = Study(cfg, args.work_dir)
    for run in study.runs:
        run.work_dir = osp.join(study.work_dir, run.order_label,
                                f'seed{run.seed}')
    return study


def main(argv=None):
    from mmhad.evaluation.lifelong_report import aggregate_runs, load_run
    args = parse_args(argv)
    study = build_study(args)
    cpus = default_workers_threads(1, 1)[0]
    workers = max(1, args.workers)
    threads = args.threads or max(1, cpus // workers)
    outcome = run_local(study.runs, workers, threads, resume=True,
                        keep_checkpoints=True)
    if outcome.failed or outcome.interrupted:
        for failure in outcome.failed:
            print(f'[sweep] {failure.name} failed; log {failure.log}:\n  ' +
                  '\n  '.join(failure.tail))
        raise SystemExit(1)
    report = {}
    lines = [f'# Sweep of {args.config}', '']
    for label in dict.fromkeys(r.order_label for r in study.runs):
        dirs = [r.work_dir for r in study.runs if r.order_label == label]
        stats = aggregate_runs([load_run(d) for d in dirs])
        report[label] = {
            k: dict(mean=m, std=s, n=n) for k, (m, s, n) in stats.items()
        }
        lines += [f'## order {label}, seeds {args.seeds}', '',
                  '| figure | mean ± std |', '|---|---:|']
        lines += [f'| {k} | {m:.4f} ± {s:.4f} |'
                  for k, (m, s, _) in stats.items()]
        lines.append('')
    os.makedirs(args.work_dir, exist_ok=True)
    with open(osp.join(args.work_dir, 'sweep.json'), 'w') as f:
        json.dump(report, f, indent=2)
    with open(osp.join(args.work_dir, 'sweep.md'), 'w') as f:
        f.write('\n'.join(lines))
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
