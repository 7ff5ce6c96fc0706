"""Record what every phase achieved on every task seen so far."""
import json
import os.path as osp
import platform
from typing import Dict, Optional, Sequence

from mmengine.dist import master_only
from mmengine.hooks import Hook
from prettytable import PrettyTable

from mmhad.engine.work_dir import RESULTS_FILE
from mmhad.evaluation.lifelong_summary import LifelongRecord
from mmhad.registry import HOOKS

ARROWS = {'higher': ' (↑)', 'lower': ' (↓)'}


def package_versions() -> Dict[str, str]:
    """Versions of the stack a run used, for reproducing it."""
    import mmcv
    import mmengine
    import mmpretrain
    import mmseg
    import torch

    import mmhad
    return dict(
        mmhad=mmhad.__version__,
        torch=torch.__version__,
        mmengine=mmengine.__version__,
        mmcv=mmcv.__version__,
        mmsegmentation=mmseg.__version__,
        mmpretrain=mmpretrain.__version__,
        python=platform.python_version())


def nest_metrics(metrics: Dict[str, float]) -> Dict[str, Dict[str, float]]:
    """``{'depth/abs_err': v}`` -> ``{'depth': {'abs_err': v}}``."""
    nested: Dict[str, Dict[str, float]] = {}
    for key, value in metrics.items():
        task, _, name = key.rpartition('/')
        if task:
            nested.setdefault(task, {})[name] = float(value)
    return nested


def _fmt(value: Optional[float]) -> str:
    return '-' if value is None else f'{value:.4f}'


def format_phase_table(phase: int, tasks: Sequence[str],
                       metrics: Dict[str, Dict[str, float]],
                       directions: Dict[str, Dict[str, str]]) -> str:
    """A task x metric table; arrows tell whether higher or lower is better."""
    table = PrettyTable(field_names=['task', 'metric', 'value'])
    table.align['metric'] = 'l'
    table.align['value'] = 'r'
    for task, values in metrics.items():
        for name, value in values.items():
            arrow = ARROWS.get(directions.get(task, {}).get(name, ''), '')
            table.add_row([task, name + arrow, _fmt(value)])
    return (f'Results after phase {phase} ({"+".join(tasks)}):\n' +
            table.get_string())


def format_run_table(record: LifelongRecord) -> str:
    """Every task metric across phases, with final value and forgetting."""
    summary = record.summary()
    phase_names = [f'{p["phase"]}:{p["task"]}' for p in record.phases]
    table = PrettyTable(
        field_names=['task', 'metric'] + phase_names + ['forgetting'])
    table.align['metric'] = 'l'
    for task, series in record.matrices().items():
        for name, values in series.items():
            arrow = ARROWS[record.directions[task][name]]
            forgot = summary['forgetting'].get(task, {}).get(name)
            table.add_row([task, name + arrow] + [_fmt(v) for v in values] +
                          [_fmt(forgot)])
    return ('Lifelong results (task x phase; forgetting > 0 means the final '
            'value is worse than the best earlier one):\n' +
            table.get_string())


@HOOKS.register_module()
class LifelongResultsHook(Hook):
    """Write ``<work_dir>/lifelong_results.json`` and log tables.

    The file has the shape::

        {"task_order": ["semantic", "depth", "normal"],
         "phases": [{"phase": 1, "task": "semantic",
                     "metrics": {"semantic": {"mIoU": ..., "pixAcc": ...}}},
                    ...],
         "directions": {"semantic": {"mIoU": "higher", ...}, ...},
         "matrices": {"semantic": {"mIoU": [after phase 1, 2, 3]}, ...},
         "summary": {"final": ..., "forgetting": ...,
                     "backward_transfer": ..., "average": ...},
         "seed": 4, "versions": {"torch": ..., "mmseg": ..., ...}}

    (``matrices`` holds ``null`` before a task's phase; ``summary`` is
    :meth:`LifelongRecord.summary`). It is rewritten after every phase, so a
    killed run keeps what its finished phases achieved; a resumed run
    continues the same file. After each phase the new row is logged as a
    table and sent to the visualizer as ``phase<t>/<task>/<metric>``
    scalars (TensorBoard with ``vis_backends=[dict(type=
    'TensorboardVisBackend')]``); after the last phase the whole task x phase
    table is logged. The file is ``<work_dir>/lifelong_results.json``
    (:data:`~mmhad.engine.work_dir.RESULTS_FILE`), where resume, the
    reports and the studies look for it, so it has no other name.
    """

    priority = 'LOW'

    def __init__(self) -> None:
        self.results: Optional[dict] = None

    def _path(self, runner) -> str:
        return osp.join(runner.work_dir, RESULTS_FILE)

    def before_train(self, runner) -> None:
        loop = runner.train_loop
        task_order = [t for tasks in getattr(loop, 'phases', [])
                      for t in tasks]
        directions = {
            name: dict(task.METRICS)
            for name, task in loop.model.tasks.items()
        }
        self.results = dict(
            task_order=task_order,
            phases=[],
            directions={t: directions[t] for t in task_order
                        if t in directions},
            seed=runner.seed,
            versions=package_versions())
        if not runner.resume_run:
            return
        # A resumed run keeps the phases finished before its checkpoint,
        # from its own work dir or, with --resume-from, the checkpoint's.
        finished = loop.epoch // loop.epochs_per_phase
        candidates = [self._path(runner)]
        if runner.load_from:
            candidates.append(
                osp.join(osp.dirname(runner.load_from), RESULTS_FILE))
        for path in candidates:
            if not osp.isfile(path):
                continue
            with open(path) as f:
                previous = json.load(f)
            if previous.get('task_order') == task_order:
                self.results['phases'] = [
                    p for p in previous.get('phases', [])
                    if p['phase'] <= finished
                ]
                break

    def after_phase(self, runner, phase: int, tasks: Sequence[str],
                    metrics: Dict[str, float]) -> None:
        nested = nest_metrics(metrics)
        entry = dict(phase=phase, task='+'.join(tasks), metrics=nested)
        phases = [p for p in self.results['phases'] if p['phase'] != phase]
        self.results['phases'] = sorted(
            phases + [entry], key=lambda p: p['phase'])
        record = LifelongRecord(
            self.results['task_order'],
            self.results['phases'],
            self.results['directions'],
            source=self._path(runner))
        self.results['matrices'] = record.matrices()
        self.results['summary'] = record.summary()
        self._dump(runner)
        runner.logger.info(
            format_phase_table(phase, tasks, nested,
                               self.results['directions']))
        runner.visualizer.add_scalars(
            {f'phase{phase}/{key}': value
             for key, value in metrics.items()},
            step=phase)
        if phase == runner.train_loop.num_phases:
            runner.logger.info(format_run_table(record))

    @master_only
    def _dump(self, runner) -> None:
        with open(self._path(runner), 'w') as f:
            json.dump(self.results, f, indent=2)
