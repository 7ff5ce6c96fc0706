"""A study config, expanded into runs.

A study is an OpenMMLab Python config (``_base_`` inheritance works as in
any config) with these top-level keys:

``name``
    The study's name, the first part of every run name (default: the
    config file's name).
``methods``
    ``{name: method}``, the rows of the table in order. A method is a
    config path (repo-relative or absolute) or
    ``dict(config=path, options=dict(...), single_phase=bool)``.
``naive`` / ``joint``
    The names of the naive fine-tuning method (the Delta_m reference,
    required) and of joint training (optional; every method's Delta_m is
    then also given as a fraction of its). Joint training learns the tasks
    in one phase whatever the order (``single_phase`` defaults to True for
    it).
``seeds``
    A list of seeds (``randomness.seed``).
``tasks`` / ``orders``
    The tasks, and the task orders: a list of orders (each a list of task
    names or ``'a,b,c'``), ``'all'`` for every permutation of ``tasks``,
    or None for each config's own order.
``benchmarks`` / ``regimes``
    ``{name: override set}``, each a dict or the path of a config file
    holding one (``_base_`` works there too). An override set has
    ``dataset`` (keys set on the dataset of every data loader),
    ``dataloader`` (keys set on every data loader), ``options`` (any other
    config keys, nested dicts or dotted keys) and optionally ``methods``
    (a method table that replaces the study's for that benchmark or
    regime). Missing: one benchmark / regime named ``default``.
``options``
    Overrides for every run.
``data_dir``
    Where generated data sets go (default ``{work_dir}/data``).
``keep_checkpoints``
    Keep a finished run's ``.pth`` files (default False: only its results
    and logs stay).
``gpus_per_run``
    Processes per run (default 1). Above 1 each run trains distributed:
    ``torchrun`` starts that many ranks of ``tools/train.py --launcher
    pytorch`` (one GPU each; gloo on CPU), rank 0 writes the run's files.
    The local launcher gives each worker its own GPUs
    (``CUDA_VISIBLE_DEVICES``) and a free port; under Slurm a task asks for
    that many GPUs and takes its port from its job id.
``report`` / ``slurm`` / ``local``
    Settings of the report (:mod:`mmhad.study.report`), of the Slurm
    launcher (:mod:`mmhad.study.slurm`) and of the local one.

String values may hold ``{work_dir}``, ``{data_dir}``, ``{study}``,
``{benchmark}`` and ``{regime}``, filled in per run. A run is named
``<study>/<benchmark>/<regime>/<order>/<method>/seed<s>`` and trains in
``<work_dir>/<that name>``. Only mmengine's config is imported here, so
expanding a study is quick.
"""
import fnmatch
import itertools
import os
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from mmengine.config import Config, ConfigDict

#: The folder above the imported mmhad package: a checkout (with tools/
#: and configs/) when mmhad is installed in editable mode or run from
#: source, a site-packages folder otherwise.
PACKAGE_CHECKOUT = osp.dirname(
    osp.dirname(osp.dirname(osp.abspath(__file__))))
#: The data loaders ``dataset`` / ``dataloader`` override sets apply to.
LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
#: The order label of a run in its config's own task order.
CONFIG_ORDER = 'config-order'
DEFAULT = 'default'
OVERRIDE_KEYS = ('dataset', 'dataloader', 'options', 'methods')
_SAFE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_.+-]*$')
# characters DictAction reads as structure, or strips, in a string value
_UNSAFE_VALUE = re.compile(r'[\s,\[\]()\'"=]')


@dataclass
class Method:
    """One row of a study: a config and its own overrides."""
    name: str
    config: str
    options: Dict[str, Any] = field(default_factory=dict)
    single_phase: bool = False


@dataclass
class Run:
    """One training run of a study.

    Attributes:
        name (str): ``<study>/<benchmark>/<regime>/<order>/<method>/seed<s>``.
        work_dir (str): Absolute path of the run's work dir.
        config (str): Absolute path of the method's config.
        options (dict): ``--cfg-options`` of the run, dotted keys in the
            order they are given (later ones win).
        order (tuple[str] or None): The task order (None: the config's).
    """
    name: str
    study: str
    benchmark: str
    regime: str
    order_label: str
    order: Optional[Tuple[str, ...]]
    method: str
    seed: int
    config: str
    options: Dict[str, Any]
    work_dir: str
    #: The checkout whose tools/train.py trains the run (and whose mmhad
    #: it imports).
    checkout: str = PACKAGE_CHECKOUT
    #: Processes (ranks) of the run: above 1 it trains distributed.
    processes: int = 1

    @property
    def train_tool(self) -> str:
        return osp.join(self.checkout, 'tools', 'train.py')

    @property
    def group(self) -> Tuple[str, str]:
        return self.benchmark, self.regime


def safe_name(name: str, what: str) -> str:
    """Refuse a name that is not a plain file name (letters, digits and
    ``_.+-``), so run names stay paths anywhere."""
    if not _SAFE.match(str(name)):
        raise ValueError(f'{what} name {name!r} must be letters, digits and '
                         '"_.+-" only (it becomes a folder name)')
    return str(name)


def is_checkout(folder: str) -> bool:
    """Whether ``folder`` is an mmhad checkout (tools/train.py beside the
    mmhad package)."""
    return osp.isfile(osp.join(folder, 'tools', 'train.py')) and osp.isfile(
        osp.join(folder, 'mmhad', '__init__.py'))


def find_checkout(path: str) -> Optional[str]:
    """The nearest mmhad checkout at or above the folder of ``path``."""
    folder = osp.dirname(osp.abspath(path))
    while not is_checkout(folder):
        parent = osp.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return folder


def study_checkout(path: Optional[str] = None) -> str:
    """The checkout whose ``tools/train.py`` trains a study's runs: the
    one that holds the study config at ``path``, else the one the imported
    mmhad comes from (never another checkout that happens to be
    installed).

    Raises:
        FileNotFoundError: If neither is a checkout (mmhad installed from a
            wheel, the study config outside any checkout).
    """
    found = find_checkout(path) if path else None
    if found is None and is_checkout(PACKAGE_CHECKOUT):
        found = PACKAGE_CHECKOUT
    if found is None:
        raise FileNotFoundError(
            'no mmhad checkout to train the study\'s runs with: '
            + (f'{path} is in none, and ' if path else '') +
            f'the imported mmhad ({PACKAGE_CHECKOUT}) is not one (installed '
            'from a wheel?); run the study from a clone of mmhad')
    return found


def resolve_path(path: str, what: str,
                 checkout: str = PACKAGE_CHECKOUT) -> str:
    """An absolute path: as given, from the study's checkout, or from the
    current dir."""
    if osp.isabs(path):
        candidates = [path]
    else:
        candidates = [osp.join(checkout, path), osp.abspath(path)]
    for candidate in candidates:
        if osp.isfile(candidate):
            return candidate
    raise FileNotFoundError(f'{what} {path!r} not found (looked at '
                            f'{", ".join(candidates)})')


def plain(value: Any) -> Any:
    """ConfigDicts and tuples as plain dicts and lists."""
    if isinstance(value, (ConfigDict, dict)):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def flatten(options: Dict[str, Any], prefix: str = '') -> Dict[str, Any]:
    """``{'a': {'b': 1}, 'c.d': 2}`` -> ``{'a.b': 1, 'c.d': 2}``."""
    flat: Dict[str, Any] = {}
    for key, value in (options or {}).items():
        path = f'{prefix}{key}'
        if isinstance(value, dict) and value:
            flat.update(flatten(value, path + '.'))
        else:
            flat[path] = value
    return flat


def format_value(value: Any, key: str = '') -> str:
    """A value as ``--cfg-options`` (mmengine's DictAction) reads it back.

    Raises:
        ValueError: For values DictAction cannot give back unchanged
            (strings with spaces, commas, brackets or quotes; strings that
            read as numbers, booleans or None; dicts inside lists).
    """
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    if isinstance(value, str):
        if _UNSAFE_VALUE.search(value) or not value:
            raise ValueError(
                f'{key}={value!r}: a string passed with --cfg-options may '
                'not be empty or hold spaces, commas, brackets, quotes or '
                '"="; set it in a config file instead')
        for convert in (int, float):
            try:
                convert(value)
            except ValueError:
                continue
            raise ValueError(f'{key}={value!r} would be read as a number')
        if value in ('True', 'False', 'None'):
            raise ValueError(f'{key}={value!r} would not be read as a string')
        return value
    if isinstance(value, list):
        return '[' + ','.join(format_value(v, key) for v in value) + ']'
    if isinstance(value, tuple):
        inner = ','.join(format_value(v, key) for v in value)
        return f'({inner},)' if len(value) == 1 else f'({inner})'
    raise ValueError(f'{key}: cannot pass a {type(value).__name__} with '
                     '--cfg-options')


def cfg_options(options: Dict[str, Any]) -> List[str]:
    """``['key=value', ...]`` for ``tools/train.py --cfg-options``."""
    return [f'{k}={format_value(v, k)}' for k, v in options.items()]


def fill(value: Any, variables: Dict[str, str]) -> Any:
    """``{name}`` placeholders of every string filled in."""
    if isinstance(value, str):
        try:
            return value.format_map(variables)
        except KeyError as err:
            raise ValueError(f'unknown placeholder {err} in {value!r}; '
                             f'known: {sorted(variables)}') from None
    if isinstance(value, dict):
        return {k: fill(v, variables) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, variables) for v in value]
    if isinstance(value, tuple):
        return tuple(fill(v, variables) for v in value)
    return value


def parse_order(order: Any, tasks: Sequence[str]) -> Tuple[str, ...]:
    if isinstance(order, str):
        order = [t.strip() for t in order.split(',') if t.strip()]
    order = tuple(str(t) for t in order)
    if tasks and sorted(order) != sorted(tasks):
        raise ValueError(f'order {list(order)} is not a permutation of the '
                         f'tasks {list(tasks)}')
    for task in order:
        safe_name(task, 'task')
    return order


def order_label(order: Optional[Sequence[str]]) -> str:
    return CONFIG_ORDER if order is None else '-'.join(order)


def order_options(order: Optional[Sequence[str]],
                  single_phase: bool) -> Dict[str, Any]:
    """The task-order override of a run: one phase per task, or all tasks
    in one phase (joint training) in that order."""
    if order is None:
        return {}
    value = [list(order)] if single_phase else list(order)
    return {'train_cfg.task_order': value}


def override_set(value: Any, what: str,
                 checkout: str = PACKAGE_CHECKOUT) -> Dict[str, Any]:
    """An override set from a dict or the path of a config file."""
    if value is None:
        return {}
    if isinstance(value, str):
        cfg = Config.fromfile(resolve_path(value, what, checkout))
        value = {k: cfg[k] for k in cfg.keys() if k in OVERRIDE_KEYS}
    value = plain(value)
    if not isinstance(value, dict):
        raise ValueError(f'{what} must be a dict or a config path')
    unknown = set(value) - set(OVERRIDE_KEYS)
    if unknown:
        raise ValueError(f'{what} has unknown keys {sorted(unknown)}; an '
                         f'override set has {list(OVERRIDE_KEYS)}')
    return value


def set_options(overrides: Dict[str, Any]) -> Dict[str, Any]:
    """The dotted ``--cfg-options`` of one override set."""
    flat: Dict[str, Any] = {}
    for loader in LOADERS:
        for key, value in flatten(overrides.get('dataloader') or {}).items():
            flat[f'{loader}.{key}'] = value
        for key, value in flatten(overrides.get('dataset') or {}).items():
            flat[f'{loader}.dataset.{key}'] = value
    flat.update(flatten(overrides.get('options') or {}))
    return flat


def method_table(table: Any, joint: Optional[str],
                 checkout: str = PACKAGE_CHECKOUT) -> Dict[str, Method]:
    methods = {}
    for name, entry in plain(table or {}).items():
        safe_name(name, 'method')
        if isinstance(entry, str):
            entry = dict(config=entry)
        if not isinstance(entry, dict) or 'config' not in entry:
            raise ValueError(f'method {name}: give a config path or '
                             'dict(config=..., options=...)')
        unknown = set(entry) - {'config', 'options', 'single_phase'}
        if unknown:
            raise ValueError(f'method {name} has unknown keys '
                             f'{sorted(unknown)}')
        methods[name] = Method(
            name, resolve_path(entry['config'], f'config of {name}',
                               checkout),
            flatten(entry.get('options') or {}),
            bool(entry.get('single_phase', name == joint)))
    return methods


class Study:
    """A study config expanded into its runs.

    Args:
        cfg (Config): The study config.
        work_dir (str): Where runs go (``<work_dir>/<run name>``).
        name (str, optional): Default name (the config file's name).
        checkout (str, optional): The checkout whose tools/train.py trains
            the runs and against which relative config paths are read
            (default: the imported mmhad's, :func:`study_checkout`).
    """

    def __init__(self, cfg: Config, work_dir: str,
                 name: Optional[str] = None,
                 checkout: Optional[str] = None) -> None:
        self.cfg = cfg
        self.checkout = checkout or study_checkout()
        self.name = safe_name(cfg.get('name', name) or 'study', 'study')
        self.work_dir = osp.abspath(work_dir)
        self.root = osp.join(self.work_dir, self.name)
        self.naive = cfg.get('naive')
        self.joint = cfg.get('joint')
        if not self.naive:
            raise ValueError('a study names its naive method: naive=...')
        self.seeds = [int(s) for s in cfg.get('seeds', [0])]
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f'seeds must be distinct, got {self.seeds}')
        self.tasks = [str(t) for t in cfg.get('tasks') or []]
        self.orders = self._orders(cfg.get('orders'))
        self.keep_checkpoints = bool(cfg.get('keep_checkpoints', False))
        self.gpus_per_run = int(cfg.get('gpus_per_run', 1))
        if self.gpus_per_run < 1:
            raise ValueError(f'gpus_per_run must be >= 1, got '
                             f'{self.gpus_per_run}')
        self.report_cfg = plain(cfg.get('report') or {})
        self.slurm_cfg = plain(cfg.get('slurm') or {})
        self.local_cfg = plain(cfg.get('local') or {})
        self.options = flatten(plain(cfg.get('options') or {}))
        self.benchmarks = self._sets(cfg.get('benchmarks'), 'benchmark')
        self.regimes = self._sets(cfg.get('regimes'), 'regime')
        self.data_dir = osp.abspath(
            str(cfg.get('data_dir', '{work_dir}/data')).format(
                work_dir=self.work_dir, study=self.name))
        base_methods = cfg.get('methods')
        self.tables: Dict[Tuple[str, str], Dict[str, Method]] = {}
        for benchmark, bench_set in self.benchmarks.items():
            for regime, regime_set in self.regimes.items():
                table = regime_set.get('methods') or bench_set.get(
                    'methods') or base_methods
                methods = method_table(table, self.joint, self.checkout)
                if self.naive not in methods:
                    raise ValueError(
                        f'{benchmark}/{regime}: the naive method '
                        f'{self.naive!r} is not among {list(methods)}')
                self.tables[benchmark, regime] = methods
        self.runs = self._expand()

    def _sets(self, value: Any, what: str) -> Dict[str, Dict[str, Any]]:
        if not value:
            return {DEFAULT: {}}
        return {
            safe_name(name, what): override_set(entry, f'{what} {name}',
                                                self.checkout)
            for name, entry in plain(value).items()
        }

    def _orders(self, orders: Any) -> List[Optional[Tuple[str, ...]]]:
        if orders is None:
            return [None]
        if orders == 'all':
            if not self.tasks:
                raise ValueError("orders='all' needs tasks=[...]")
            return list(itertools.permutations(self.tasks))
        if isinstance(orders, str):
            orders = [orders]
        parsed = [parse_order(o, self.tasks) for o in orders]
        if len(set(parsed)) != len(parsed):
            raise ValueError(f'an order is given twice in {orders}')
        return parsed

    def _expand(self) -> List[Run]:
        runs = []
        for (benchmark, regime), methods in self.tables.items():
            variables = dict(work_dir=self.work_dir, data_dir=self.data_dir,
                             study=self.name, benchmark=benchmark,
                             regime=regime)
            shared = {}
            shared.update(set_options(self.benchmarks[benchmark]))
            shared.update(set_options(self.regimes[regime]))
            for order in self.orders:
                label = order_label(order)
                for method in methods.values():
                    options = dict(shared)
                    options.update(method.options)
                    options.update(self.options)
                    options = fill(options, variables)
                    for seed in self.seeds:
                        run_options = dict(options)
                        run_options['randomness.seed'] = seed
                        run_options.update(
                            order_options(order, method.single_phase))
                        cfg_options(run_options)  # fail early, not in a job
                        name = '/'.join([self.name, benchmark, regime, label,
                                         method.name, f'seed{seed}'])
                        runs.append(
                            Run(name=name, study=self.name,
                                benchmark=benchmark, regime=regime,
                                order_label=label, order=order,
                                method=method.name, seed=seed,
                                config=method.config, options=run_options,
                                work_dir=osp.join(self.work_dir, name),
                                checkout=self.checkout,
                                processes=self.gpus_per_run))
        return runs

    def select(self, patterns: Sequence[str]) -> List[Run]:
        """The runs whose names match one of the shell-style patterns."""
        if not patterns:
            return list(self.runs)
        return [r for r in self.runs
                if any(fnmatch.fnmatchcase(r.name, p) for p in patterns)]

    def shape(self) -> List[str]:
        """One line per benchmark / regime: methods x seeds x orders."""
        lines = []
        for (benchmark, regime), methods in self.tables.items():
            count = len(methods) * len(self.seeds) * len(self.orders)
            lines.append(
                f'{benchmark}/{regime}: {len(methods)} methods x '
                f'{len(self.seeds)} seeds x {len(self.orders)} task '
                f'order(s) = {count} runs')
        return lines


def _holds(cfg, path: str) -> bool:
    node = cfg
    for part in path.split('.'):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return isinstance(node, dict)


def unplaced_options(runs: Sequence[Run]) -> Dict[str, List[str]]:
    """``{config: [option keys]}`` of overrides whose parent is not in the
    method's config (a misspelt key, or a config of another shape: the
    train tool would add them as new keys, and they would do nothing)."""
    found: Dict[str, List[str]] = {}
    configs: Dict[str, dict] = {}
    for run in runs:
        if run.config not in configs:
            configs[run.config] = Config.fromfile(run.config).to_dict()
        cfg = configs[run.config]
        for key in run.options:
            parent = key.rpartition('.')[0]
            if parent and not _holds(cfg, parent):
                keys = found.setdefault(run.config, [])
                if key not in keys:
                    keys.append(key)
    return found


def load_study(path: str, work_dir: str = 'work_dirs/studies',
               cfg_options: Optional[dict] = None) -> Study:
    """Read a study config (with ``--cfg-options`` merged) and expand it."""
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    name = osp.splitext(osp.basename(path))[0]
    return Study(cfg, work_dir, name=name, checkout=study_checkout(path))


#: The placeholder of a distributed run's rendezvous port in its command,
#: filled in where the run starts (:func:`fill_port`).
PORT = '{port}'


def train_command(run: Run, resume: bool = False,
                  python: Optional[str] = None) -> List[str]:
    """``python tools/train.py CONFIG --work-dir DIR [--resume]
    --cfg-options ...`` of a run; with several processes, the same under
    ``python -m torch.distributed.run`` with ``--launcher pytorch`` (as
    ``tools/dist_train.sh``), its port left as :data:`PORT`."""
    import sys
    if not osp.isfile(run.train_tool):
        raise FileNotFoundError(f'{run.name}: no train tool at '
                                f'{run.train_tool}')
    python = python or sys.executable
    if run.processes > 1:
        command = [python, '-m', 'torch.distributed.run', '--nnodes=1',
                   f'--nproc_per_node={run.processes}',
                   '--master_addr=127.0.0.1', f'--master_port={PORT}',
                   run.train_tool, run.config, '--launcher', 'pytorch',
                   '--work-dir', run.work_dir]
    else:
        command = [python, run.train_tool, run.config, '--work-dir',
                   run.work_dir]
    if resume:
        command.append('--resume')
    return command + ['--cfg-options'] + cfg_options(run.options)


def fill_port(command: List[str], port: int) -> List[str]:
    """``command`` with its :data:`PORT` placeholder filled in."""
    return [part.replace(PORT, str(port)) for part in command]


def run_env(threads: int, base: Optional[dict] = None,
            checkout: str = PACKAGE_CHECKOUT) -> Dict[str, str]:
    """The environment of a run: ``threads`` threads for every math
    library, and the checkout's mmhad imported first (as OpenMMLab's
    launch scripts do)."""
    env = dict(os.environ if base is None else base)
    for var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS',
                'NUMEXPR_NUM_THREADS', 'VECLIB_MAXIMUM_THREADS'):
        env[var] = str(threads)
    path = env.get('PYTHONPATH')
    env['PYTHONPATH'] = checkout + (os.pathsep + path if path else '')
    return env
