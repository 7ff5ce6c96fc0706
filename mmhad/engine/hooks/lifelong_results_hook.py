"""Record what every phase achieved on every task seen so far."""
import json
import os.path as osp
from typing import Dict, Optional, Sequence

from mmengine.dist import master_only
from mmengine.hooks import Hook
from prettytable import PrettyTable

from mmhad.registry import HOOKS


def nest_metrics(metrics: Dict[str, float]) -> Dict[str, Dict[str, float]]:
    """``{'depth/abs_err': v}`` -> ``{'depth': {'abs_err': v}}``."""
    nested: Dict[str, Dict[str, float]] = {}
    for key, value in metrics.items():
        task, _, name = key.rpartition('/')
        if task:
            nested.setdefault(task, {})[name] = float(value)
    return nested


def format_phase_table(phase: int, tasks: Sequence[str],
                       metrics: Dict[str, Dict[str, float]],
                       directions: Dict[str, Dict[str, str]]) -> str:
    """A task x metric table; arrows tell whether higher or lower is better."""
    table = PrettyTable(field_names=['task', 'metric', 'value'])
    table.align['metric'] = 'l'
    table.align['value'] = 'r'
    for task, values in metrics.items():
        for name, value in values.items():
            arrow = {'higher': ' (↑)', 'lower': ' (↓)'}.get(
                directions.get(task, {}).get(name, ''), '')
            table.add_row([task, name + arrow, f'{value:.4f}'])
    return (f'Results after phase {phase} ({"+".join(tasks)}):\n' +
            table.get_string())


@HOOKS.register_module()
class LifelongResultsHook(Hook):
    """Write ``<work_dir>/lifelong_results.json`` and log a table per phase.

    The file has the shape::

        {"task_order": ["semantic", "depth", "normal"],
         "phases": [{"phase": 1, "task": "semantic",
                     "metrics": {"semantic": {"mIoU": ..., "pixAcc": ...}}},
                    ...]}

    and is rewritten after every phase, so a killed run keeps what its
    finished phases achieved; a resumed run continues the same file.

    Args:
        out_file (str): File name inside the work dir.
    """

    priority = 'LOW'

    def __init__(self, out_file: str = 'lifelong_results.json') -> None:
        self.out_file = out_file
        self.results: Optional[dict] = None

    def _path(self, runner) -> str:
        return osp.join(runner.work_dir, self.out_file)

    def before_train(self, runner) -> None:
        loop = runner.train_loop
        task_order = [t for tasks in getattr(loop, 'phases', []) for t in tasks]
        self.results = dict(task_order=task_order, phases=[])
        path = self._path(runner)
        if runner._resume and osp.isfile(path):
            with open(path) as f:
                previous = json.load(f)
            if previous.get('task_order') == task_order:
                self.results['phases'] = previous.get('phases', [])

    def after_phase(self, runner, phase: int, tasks: Sequence[str],
                    metrics: Dict[str, float]) -> None:
        nested = nest_metrics(metrics)
        entry = dict(phase=phase, task='+'.join(tasks), metrics=nested)
        phases = [p for p in self.results['phases'] if p['phase'] != phase]
        self.results['phases'] = sorted(
            phases + [entry], key=lambda p: p['phase'])
        self._dump(runner)
        model = runner.train_loop.model
        directions = {
            name: task.METRICS
            for name, task in model.tasks.items()
        }
        runner.logger.info(
            format_phase_table(phase, tasks, nested, directions))

    @master_only
    def _dump(self, runner) -> None:
        with open(self._path(runner), 'w') as f:
            json.dump(self.results, f, indent=2)
