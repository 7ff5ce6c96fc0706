"""Compare methods on a procedural scene family, in two regimes, over seeds.

Knobs are tuned on the indoor rooms and confirmed on the outdoor streets,
a family they were not tuned on. Three regimes:

- ``pretrained`` (the users' regime): the synthetic configs as shipped, the
  quarter-width R18 starting from the fractal-pretrained encoder
  (``checkpoints/fractaldb100_r18-d8-quarter_64x80.pth``), 160 training
  images per phase;
- ``demo``: the same configs with the encoder trained from scratch (Adam
  lr 3e-3);
- ``weak``: the NYUv2 configs (the reference network, full width, from
  scratch) with lr 1e-4, 6 epochs per phase, batch 8 and 80 training images
  per phase: the phase-1 teacher is weak (unsure, few classes predicted).

Example::

    python tools/analysis/heldout_study.py --family outdoor \\
        --regime pretrained --methods LwF HAD Joint --seeds 0 1 2 \\
        --work-dir work_dirs/heldout

Each run trains with ``tools/train.py`` into
``<work-dir>/<family>/<regime>/<method>/seed<s>`` (``.../<regime>/<order>/
...`` for another task order; finished runs are reused, killed ones
resumed; a finished run's checkpoints are deleted unless
``--keep-checkpoints``), then ``report.md`` in the regime's (or order's)
folder holds the report tool's mean ± std table over seeds against
fine-tuning of the same seed, with Mean Rank, and each method's Δm as a
fraction of joint training's when ``Joint`` is among the methods.
"""
import argparse
import glob
import itertools
import os
import os.path as osp
import subprocess
import sys

from sweep import train

from mmhad.datasets.synthetic_indoor import generate_synthetic_indoor
from mmhad.datasets.synthetic_outdoor import generate_synthetic_outdoor
from mmhad.evaluation.lifelong_report import (SeedReport, load_run,
                                              order_markdown)
from mmhad.visualization.lifelong_plots import plot_order_bars

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
REPORT = osp.join(ROOT, 'tools', 'analysis', 'lifelong_report.py')
FAMILIES = dict(
    indoor=('SyntheticIndoorDataset', generate_synthetic_indoor),
    outdoor=('SyntheticOutdoorDataset', generate_synthetic_outdoor))
#: The synthetic configs: every row of the comparison table.
SYNTHETIC = {
    'FT': 'configs/baselines/finetune_r18_synthetic.py',
    'LwF': 'configs/baselines/lwf_r18_synthetic.py',
    'LwM': 'configs/baselines/lwm_r18_synthetic.py',
    'DKD': 'configs/baselines/dkd_r18_synthetic.py',
    'EWC': 'configs/baselines/ewc_r18_synthetic.py',
    'MAS': 'configs/baselines/mas_r18_synthetic.py',
    'SPG': 'configs/baselines/spg_r18_synthetic.py',
    'SGP': 'configs/baselines/sgp_r18_synthetic.py',
    'Piggyback': 'configs/baselines/piggyback_r18_synthetic.py',
    'FitNets': 'configs/baselines/fitnets_r18_synthetic.py',
    'StructuredKD': 'configs/baselines/structured_kd_r18_synthetic.py',
    'Replay': 'configs/baselines/replay_r18_synthetic.py',
    'DER': 'configs/baselines/der_r18_synthetic.py',
    'HAD-paper': 'configs/had/had_paper_r18_synthetic.py',
    'HAD-reference': 'configs/had/had_reference_r18_synthetic.py',
    'HAD': 'configs/had/had_r18_synthetic.py',
    'HAD-scratch': 'configs/had/had_scratch_r18_synthetic.py',
    'HAD-robust': 'configs/had/had_robust_r18_synthetic.py',
    'Joint': 'configs/baselines/joint_r18_synthetic.py',
}
#: Method name -> config, per regime; fine-tuning first (the reference).
METHODS = dict(
    pretrained=SYNTHETIC,
    demo=SYNTHETIC,
    weak={
        'FT': 'configs/baselines/finetune_r18_nyuv2.py',
        'LwF': 'configs/baselines/lwf_r18_nyuv2.py',
        'HAD-paper': 'configs/had/had_paper_r18_nyuv2.py',
        'HAD-reference': 'configs/had/had_reference-loss_r18_nyuv2.py',
        'HAD': 'configs/had/had_r18_nyuv2.py',
        'HAD-scratch': 'configs/had/had_scratch_r18_nyuv2.py',
        'HAD-robust': 'configs/had/had_robust_r18_nyuv2.py',
    })
#: The synthetic families' tasks, for ``--order all``.
TASKS = ('semantic', 'depth', 'normal')
IMAGES_PER_PHASE = dict(pretrained=160, demo=160, weak=80)
#: What turns the shipped synthetic configs into the from-scratch regime.
SCRATCH = ['model.backbone.init_cfg=None', 'optim_wrapper.optimizer.lr=3e-3']
NUM_VAL = 160


def regime_options(family: str, regime: str, data_dir: str) -> list:
    """``--cfg-options`` that put a regime's configs on a family's data."""
    num_train = 3 * IMAGES_PER_PHASE[regime]
    loaders = ('train_dataloader', 'val_dataloader', 'test_dataloader')
    if regime in ('pretrained', 'demo'):
        dataset_type, _ = FAMILIES[family]
        # both regimes train on the same images
        root = osp.join(data_dir, f'{family}_demo')
        return [
            f'{loader}.dataset.{key}={value}' for loader in loaders
            for key, value in (('type', dataset_type), ('data_root', root),
                               ('num_train', num_train),
                               ('num_val', NUM_VAL))
        ] + (SCRATCH if regime == 'demo' else [])
    root = osp.join(data_dir, f'{family}_weak')
    _, generate = FAMILIES[family]
    generate(root, num_train, NUM_VAL)
    return [f'{loader}.dataset.data_root={root}' for loader in loaders] + [
        f'{loader}.{key}={value}' for loader in loaders
        for key, value in (('num_workers', 0), ('persistent_workers', False))
    ] + [
        'model.backbone.init_cfg=None', 'train_cfg.max_epochs=6',
        'optim_wrapper.optimizer.lr=1e-4', 'train_dataloader.batch_size=8'
    ]


def order_options(method: str, order: str) -> list:
    """The task order override of a method: joint training learns the
    tasks in one phase whatever their order, so it keeps a single phase."""
    if not order:
        return []
    if method == 'Joint':
        return [f'train_cfg.task_order=[[{order}]]']
    return [f'train_cfg.task_order=[{order}]']


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Methods x seeds on a held-out scene family')
    parser.add_argument('--family', choices=sorted(FAMILIES),
                        default='outdoor')
    parser.add_argument('--regime', choices=sorted(METHODS), required=True)
    parser.add_argument('--methods', nargs='+', default=None,
                        help='subset of the regime\'s methods (FT is added)')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument(
        '--order', default=None,
        help='comma-separated task order (default: the configs\'), e.g. '
        'depth,normal,semantic; "all": the six orders one after another, '
        'then orders.md and orders.png side by side')
    parser.add_argument('--work-dir', default='work_dirs/heldout')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='extra options for every run')
    parser.add_argument('--keep-checkpoints', action='store_true',
                        help='keep each finished run\'s .pth files (about '
                        '1 GB a run in the weak regime); by default only '
                        'its results stay')
    return parser.parse_args(argv)


def run_order(args, names: list, order: str) -> dict:
    """Train every method and seed in one task order and write its report;
    returns ``{method: [work dirs, one per seed]}``."""
    methods = METHODS[args.regime]
    base = osp.join(args.work_dir, args.family, args.regime)
    options = regime_options(args.family, args.regime,
                             osp.join(args.work_dir, 'data'))
    if order:
        base = osp.join(base, order.replace(',', '-'))
    dirs = {}
    for name in names:
        dirs[name] = []
        for seed in args.seeds:
            work_dir = osp.join(base, name, f'seed{seed}')
            train(osp.join(ROOT, methods[name]), work_dir,
                  [f'randomness.seed={seed}'] + options +
                  order_options(name, order) + args.cfg_options)
            if not args.keep_checkpoints:
                for path in glob.glob(osp.join(work_dir, '*.pth')):
                    os.remove(path)
            dirs[name].append(work_dir)
    if len(names) > 1:  # fine-tuning alone: nothing to compare
        cmd = [sys.executable, REPORT] + [
            ','.join(dirs[n]) for n in names[1:]
        ] + ['--naive', ','.join(dirs['FT']), '--naive-name', 'FT',
             '--names'] + names[1:] + ['--out-dir', base]
        if 'Joint' in names:
            cmd += ['--joint', 'Joint']
        subprocess.run(cmd, check=True)
    return dirs


def write_order_report(args, names: list, runs: dict) -> None:
    """``orders.md`` and ``orders.png`` over every order's runs."""
    reports, naive = {}, {}
    for label, dirs in runs.items():
        records = {n: [load_run(d) for d in dirs[n]] for n in names}
        naive[label] = records['FT']
        reports[label] = SeedReport(
            [records[n] for n in names[1:]], records['FT'], names[1:],
            naive_name='FT', joint='Joint' if 'Joint' in names else None)
    base = osp.join(args.work_dir, args.family, args.regime)
    with open(osp.join(base, 'orders.md'), 'w') as f:
        f.write(order_markdown(reports, naive))
    plot_order_bars({o: r.figures() for o, r in reports.items()},
                    'delta_m_naive',
                    f'{args.family}, {args.regime} regime: Δm over all '
                    'tasks in every task order', osp.join(base, 'orders.png'))
    print(order_markdown(reports, naive))


def main(argv=None):
    args = parse_args(argv)
    methods = METHODS[args.regime]
    names = ['FT'] + [m for m in (args.methods or methods) if m != 'FT']
    unknown = [m for m in names if m not in methods]
    if unknown:
        raise SystemExit(f'unknown methods {unknown}; the {args.regime} '
                         f'regime has {list(methods)}')
    if args.order != 'all':
        run_order(args, names, args.order)
        return
    runs = {
        '-'.join(order): run_order(args, names, ','.join(order))
        for order in itertools.permutations(TASKS)
    }
    write_order_report(args, names, runs)


if __name__ == '__main__':
    main()
