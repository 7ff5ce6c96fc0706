"""Compare methods on a procedural scene family, in one regime, over seeds.

A thin alias of the held-out study, ``configs/studies/heldout.py`` (its
regimes are the override files in ``configs/studies/regimes/``: the demo
regime is ``scratch.py`` there). It picks one family, one regime and some
methods, and runs them with ``tools/study.py`` (finished runs reused,
killed ones resumed). Example::

    python tools/analysis/heldout_study.py --family outdoor \\
        --regime pretrained --methods LwF HAD Joint --seeds 0 1 2 \\
        --work-dir work_dirs/heldout

is::

    python tools/study.py configs/studies/heldout.py \\
        --work-dir work_dirs/heldout --resume \\
        --select 'heldout/streets/pretrained/*/FT/*' \\
                 'heldout/streets/pretrained/*/LwF/*' ... \\
        --cfg-options seeds=[0,1,2]

Runs go to ``<work-dir>/heldout/<streets|rooms>/<regime>/<order>/<method>/
seed<s>``; the study's report (``report.md`` and the rest) to
``<work-dir>/heldout/``. ``--order all`` learns the six task orders.
"""
import argparse
import importlib.util
import os.path as osp

from mmhad.study import load_study

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _study_tool():
    """``tools/study.py`` as a module."""
    spec = importlib.util.spec_from_file_location(
        'mmhad_study_tool', osp.join(ROOT, 'tools', 'study.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CONFIG = osp.join(ROOT, 'configs', 'studies', 'heldout.py')
#: The tool's family and regime names -> the study's benchmarks and regimes.
FAMILIES = dict(indoor='rooms', outdoor='streets')
REGIMES = dict(pretrained='pretrained', demo='scratch', weak='weak')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Methods x seeds on a held-out scene family (an alias '
        'of tools/study.py configs/studies/heldout.py)')
    parser.add_argument('--family', choices=sorted(FAMILIES),
                        default='outdoor')
    parser.add_argument('--regime', choices=sorted(REGIMES), required=True)
    parser.add_argument('--methods', nargs='+', default=None,
                        help='subset of the regime\'s methods (FT is added)')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument(
        '--order', default=None,
        help='comma-separated task order (default: semantic,depth,normal); '
        '"all": the six orders')
    parser.add_argument('--work-dir', default='work_dirs/heldout')
    parser.add_argument('--cfg-options', nargs='+', default=[],
                        help='extra options for every run')
    parser.add_argument('--keep-checkpoints', action='store_true',
                        help='keep each finished run\'s .pth files')
    parser.add_argument('--workers', type=int, default=1)
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--dry-run', action='store_true')
    return parser.parse_args(argv)


def study_argv(args) -> list:
    """The ``tools/study.py`` arguments of the same runs."""
    benchmark, regime = FAMILIES[args.family], REGIMES[args.regime]
    options = [f'seeds=[{",".join(str(s) for s in args.seeds)}]']
    if args.order == 'all':
        options.append('orders=all')
    elif args.order:
        options.append(f'orders=[[{args.order}]]')
    if args.keep_checkpoints:
        options.append('keep_checkpoints=True')
    options += [f'options.{option}' for option in args.cfg_options]
    study = load_study(CONFIG, args.work_dir)
    table = study.tables[benchmark, regime]
    names = ['FT'] + [m for m in (args.methods or table) if m != 'FT']
    unknown = [m for m in names if m not in table]
    if unknown:
        raise SystemExit(f'unknown methods {unknown}; the {args.regime} '
                         f'regime has {list(table)}')
    argv = [CONFIG, '--work-dir', args.work_dir, '--resume', '--workers',
            str(args.workers), '--select']
    argv += [f'{study.name}/{benchmark}/{regime}/*/{m}/*' for m in names]
    if args.threads:
        argv += ['--threads', str(args.threads)]
    if args.dry_run:
        argv.append('--dry-run')
    return argv + ['--cfg-options'] + options


def main(argv=None):
    code = _study_tool().main(study_argv(parse_args(argv)))
    if code:
        raise SystemExit(code)


if __name__ == '__main__':
    main()
