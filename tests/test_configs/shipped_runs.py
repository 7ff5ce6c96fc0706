"""Tiny runs of every shipped method config, recorded to pin behaviour.

Each shipped config keeps all of its method settings (components, their
knobs, teacher cache, norm policy, optimizer, schedule knobs other than the
number of epochs); only the architecture is swapped for the tiny model and
the data for the tiny synthetic rooms, with the config's task order mapped
onto the tiny tasks where it names others. A refactor must leave these runs
unchanged: ``tests/data/shipped_tiny_runs.json`` holds the metrics and a
checksum of the weights of every run, recorded with

    OMP_NUM_THREADS=1 python -m tests.test_configs.shipped_runs --record

(``--record CONFIG ...`` adds or replaces those configs' entries only), and
``test_shipped_configs.py`` trains them again and compares. A run is
bit-identical run to run on one kind of CPU, not across kinds (an AMD EPYC
and an Intel Xeon, both with AVX512-BF16, differ by several per cent in
the tiny runs' metrics), so each config holds one entry per kind of CPU
that recorded it (``machine()``), and a recording replaces the entry of
its own kind only. A record pins method settings, not networks or data
(``PINS``): the tiny run swaps the architecture and the dataset, so
configs that differ only there (an R50 or a ConvNeXt twin, another
benchmark's copy of a method) record the same run. The AMD entries of the
configs whose method or protocol did not change since were made on commit
96a725e, before methods became components of a LifelongAlgorithm and
before tasks were declared by the datasets (the same harness, adapted to
the old model form), so the test says those changes kept their behaviour.
"""
import argparse
import glob
import json
import os.path as osp
import platform
import re
import tempfile

import torch

from mmhad.engine import LifelongRunner
from tests.conftest import REPO_ROOT, TASKS, tiny_cfg

RECORD = osp.join(REPO_ROOT, 'tests', 'data', 'shipped_tiny_runs.json')
TINY_TASKS = list(TASKS)
EPOCHS = 2


def shipped_method_configs():
    """Every config that trains a lifelong model (not the pretraining)."""
    return sorted(
        osp.relpath(p, REPO_ROOT)
        for p in glob.glob(osp.join(REPO_ROOT, 'configs', '*', '*.py'))
        if '_base_' not in p and '/pretrain/' not in p
        and '/studies/' not in p)


def tiny_order(order):
    """The config's task order on the tiny tasks: its shape (phases of one
    or several tasks) kept, the names it uses mapped in turn onto the tiny
    tasks, those beyond the third dropped."""
    phases = [[t] if isinstance(t, str) else list(t) for t in order]
    names = [t for phase in phases for t in phase]
    if all(t in TINY_TASKS for t in names):
        return order
    mapping = dict(zip(names, TINY_TASKS))
    mapped = [[mapping[t] for t in phase if t in mapping] for phase in phases]
    return [p[0] if isinstance(order[i], str) else p
            for i, p in enumerate(mapped) if p]


def machine() -> str:
    """The CPU model and whether it has AVX512-BF16 (figures are
    bit-identical run to run on one kind of CPU only)."""
    name, flags = platform.processor(), ''
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name') and not name:
                    name = line.split(':', 1)[1].strip()
                if line.startswith('flags'):
                    flags = line
                    break
    except OSError:
        pass
    return f'{name}, avx512_bf16={"avx512_bf16" in flags}'


def run_config(config: str, data_root: str, work_dir: str) -> dict:
    """Train ``config``'s tiny run; its per-phase metrics and a checksum of
    the final weights (sum of |w| per top-level part, float64)."""
    torch.set_num_threads(1)
    cfg = tiny_cfg(config, data_root, work_dir, max_epochs=EPOCHS)
    cfg.train_cfg.task_order = tiny_order(cfg.train_cfg.task_order)
    cfg.randomness = dict(seed=0)
    cfg.log_level = 'WARNING'
    runner = LifelongRunner.from_cfg(cfg)
    runner.train()
    with open(osp.join(work_dir, 'lifelong_results.json')) as f:
        results = json.load(f)
    # a part is the first name of a parameter inside the architecture or
    # a component (backbone, heads, regressor, mask_scores, ...), so the
    # sums compare across the ways a method may be put together
    checksum = {}
    for name, param in runner.model.state_dict().items():
        if not isinstance(param, torch.Tensor):  # a method's extra state
            continue
        name = re.sub(r'^(architecture\.|components\.[^.]+\.)', '', name)
        part = name.split('.', 1)[0]
        checksum[part] = checksum.get(part, 0.) + float(
            param.double().abs().sum())
    return dict(phases=results['phases'], weights=checksum)


#: What a record pins, written into it.
PINS = ('the method settings of each shipped config (components, their knobs, '
        'algorithm knobs, optimizer, schedule but the epochs, loader order '
        'and evaluation); not its backbone, heads or dataset, which the tiny '
        'run swaps, so configs that differ only there share a record')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--record', action='store_true',
                        help=f'add or replace the given configs\' entries '
                        f'in {osp.relpath(RECORD, REPO_ROOT)} (all shipped '
                        'configs when none is given)')
    parser.add_argument('configs', nargs='*', help='default: all shipped')
    args = parser.parse_args()
    from mmhad.datasets.synthetic_indoor import generate_synthetic_indoor
    configs = args.configs or shipped_method_configs()
    out = dict(pins=PINS, runs={})
    if args.record and osp.isfile(RECORD):
        with open(RECORD) as f:
            out = dict(json.load(f), pins=PINS)
    here = machine()
    with tempfile.TemporaryDirectory() as tmp:
        data_root = osp.join(tmp, 'data')
        generate_synthetic_indoor(data_root, num_train=12, num_val=6,
                                  height=32, width=40, seed=1)
        for i, config in enumerate(configs, 1):
            entry = dict(run_config(config, data_root,
                                    osp.join(tmp, f'run{i}')),
                         torch=torch.__version__)
            out['runs'].setdefault(config, {})[here] = entry
            print(f'[{i}/{len(configs)}] {config}', flush=True)
            if args.record:  # after every run: a long record survives
                with open(RECORD, 'w') as f:
                    json.dump(out, f, indent=1, sort_keys=True)
    if args.record:
        print(f'wrote {RECORD}')
    else:
        print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == '__main__':
    main()
