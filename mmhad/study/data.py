"""Generate a study's procedural data sets once, before its runs start.

A data set class with a ``generate`` function (the synthetic rooms and
streets) writes its files on first use. Runs started side by side on the
same folder would each find it incomplete and write it again over the
other; so the study tool builds every data set its runs read first, in one
process (a set that is already complete is only checked).
"""
import inspect
from typing import Callable, Dict, List, Sequence, Tuple

from mmengine.config import Config

from .spec import LOADERS, Run


def dataset_cfgs(cfg) -> List[dict]:
    """Every dataset dict of the config's data loaders (wrapped ones
    too)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if 'type' in node:
                found.append(node)
            for key in ('dataset', 'datasets'):
                walk(node.get(key))
        elif isinstance(node, (list, tuple)):
            for item in node:
                walk(item)

    for loader in LOADERS:
        if cfg.get(loader):
            walk(cfg[loader].get('dataset'))
    return found


def generation_calls(runs: Sequence[Run]) -> Dict[tuple, Tuple[Callable,
                                                               dict]]:
    """``{key: (generate, kwargs)}``, one per distinct data set the runs
    generate (configs are read once per config and override set)."""
    from mmhad.registry import DATASETS
    from mmhad.utils import register_all_modules
    register_all_modules(init_default_scope=False)
    calls = {}
    seen = set()
    for run in runs:
        shared = {k: v for k, v in run.options.items()
                  if k not in ('randomness.seed', 'train_cfg.task_order')}
        key = (run.config, repr(sorted(shared.items())))
        if key in seen:
            continue
        seen.add(key)
        cfg = Config.fromfile(run.config)
        cfg.merge_from_dict(shared)
        for dataset in dataset_cfgs(cfg):
            cls = DATASETS.get(dataset['type']) if isinstance(
                dataset['type'], str) else dataset['type']
            generate = getattr(cls, 'generate', None)
            if generate is None or 'data_root' not in dataset:
                continue
            params = inspect.signature(cls.__init__).parameters
            kwargs = {
                name: dataset.get(name, param.default)
                for name, param in params.items()
                if name in ('num_train', 'num_val', 'height', 'width',
                            'seed')
            }
            kwargs = {k: v for k, v in kwargs.items()
                      if v is not inspect.Parameter.empty}
            root = dataset['data_root']
            calls[(cls.__name__, root, tuple(sorted(kwargs.items())))] = (
                generate, dict(kwargs, root=root))
    return calls


def prepare_data(runs: Sequence[Run], log=print) -> int:
    """Generate (or check) every procedural data set the runs read;
    returns how many there are."""
    calls = generation_calls(runs)
    for (name, root, _), (generate, kwargs) in calls.items():
        log(f'[study] data: {name} in {root}')
        root = kwargs.pop('root')
        generate(root, **kwargs)
    return len(calls)
