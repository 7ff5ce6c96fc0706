"""Lifelong figures of one run and comparisons across runs.

Every task metric has a direction (``'higher'`` or ``'lower'`` is better),
and every figure here is signed with it, so that one convention holds for
heterogeneous tasks:

* **forgetting** of an old task metric = best value before the last phase
  minus the final value, signed so that positive always means "forgot";
* **backward transfer** = final value minus the value right after the task
  was learned, signed so that positive always means "improved";
* **Delta_m** against a reference run = mean over task metrics of
  ``s * (M - M_ref) / M_ref`` in percent, ``s = -1`` for lower-is-better;
* **Mean Rank** = the rank of a run (1 = best) per task metric among the
  compared runs, averaged over task metrics; ties share the mean rank.

A run is described by its ``lifelong_results.json``; see
:class:`LifelongRecord`. The functions use the standard library only
(and mmhad's reader of JSON files, which names a damaged one).
"""
import math
from typing import Dict, List, Mapping, Optional, Sequence

from mmhad.utils.files import load_json

#: ``{task: {metric: value}}``
TaskMetrics = Dict[str, Dict[str, float]]
#: ``{task: {metric: 'higher' | 'lower'}}``
Directions = Mapping[str, Mapping[str, str]]

DIRECTION_SIGN = {'higher': 1.0, 'lower': -1.0}


def direction_sign(direction: str) -> float:
    """+1 for a higher-is-better metric, -1 for a lower-is-better one."""
    try:
        return DIRECTION_SIGN[direction]
    except KeyError:
        raise ValueError(f'unknown metric direction {direction!r}; expected '
                         f'one of {sorted(DIRECTION_SIGN)}') from None


class LifelongRecord:
    """What one run achieved after each of its phases.

    Args:
        task_order (list[str]): Tasks in the order their phases ran
            (a phase that brings several tasks lists them all).
        phases (list[dict]): One entry per finished phase, in order:
            ``{"phase": t, "task": "depth", "metrics": {task: {metric: v}}}``.
        directions (dict): ``{task: {metric: 'higher' | 'lower'}}``.
        source (str): Where the record came from, for error messages.
    """

    def __init__(self,
                 task_order: Sequence[str],
                 phases: Sequence[dict],
                 directions: Directions,
                 source: str = '<memory>') -> None:
        self.task_order = list(task_order)
        self.phases = sorted(phases, key=lambda p: p['phase'])
        self.directions = {t: dict(d) for t, d in directions.items()}
        self.source = source
        for entry in self.phases:
            for task, values in entry['metrics'].items():
                for name in values:
                    if name not in self.directions.get(task, {}):
                        raise ValueError(
                            f'{source}: metric {task}/{name} of phase '
                            f'{entry["phase"]} has no direction')

    @classmethod
    def from_json(cls, path: str) -> 'LifelongRecord':
        """Read a ``lifelong_results.json`` written by a training run."""
        try:
            data = load_json(path, 'a run\'s per-phase results')
        except FileNotFoundError:
            raise FileNotFoundError(
                f'{path} does not exist; is this a mmhad work dir of a run '
                'that finished at least one phase?') from None
        for field in ('task_order', 'phases', 'directions'):
            if field not in data:
                raise ValueError(f'{path} has no field {field!r}')
        if not data['phases']:
            raise ValueError(f'{path} records no finished phase')
        return cls(data['task_order'], data['phases'], data['directions'],
                   source=path)

    @property
    def num_phases(self) -> int:
        return len(self.phases)

    @property
    def complete(self) -> bool:
        """True when every task of ``task_order`` has had its phase."""
        seen = {t for p in self.phases for t in p['task'].split('+')}
        return seen >= set(self.task_order)

    def task_metrics(self) -> List[tuple]:
        """``(task, metric)`` pairs in task order, metrics in record order."""
        pairs = []
        for task in self.task_order:
            pairs += [(task, m) for m in self.directions.get(task, {})]
        return pairs

    def matrices(self) -> Dict[str, Dict[str, List[Optional[float]]]]:
        """Task x phase matrix of every metric.

        Returns:
            dict: ``{task: {metric: [value after phase 1, ..., after phase
            T]}}``, ``None`` before the task's phase.
        """
        out: Dict[str, Dict[str, List[Optional[float]]]] = {}
        for task, name in self.task_metrics():
            out.setdefault(task, {})[name] = [
                p['metrics'].get(task, {}).get(name) for p in self.phases
            ]
        return out

    def final(self) -> TaskMetrics:
        """Values after the last recorded phase."""
        return {t: dict(v) for t, v in self.phases[-1]['metrics'].items()}

    def summary(self) -> dict:
        """Final values, forgetting and backward transfer of this run.

        Returns:
            dict: ``final``, ``forgetting`` and ``backward_transfer``
            (``{task: {metric: value}}``, old tasks only for the last two),
            and ``average``: the mean over old task metrics of forgetting
            and backward transfer relative to the reference value, in
            percent (raw values have different units per task).
        """
        forgetting: TaskMetrics = {}
        transfer: TaskMetrics = {}
        rel_forgetting, rel_transfer = [], []
        for task, series in self.matrices().items():
            for name, values in series.items():
                seen = [v for v in values if v is not None]
                if len(seen) < 2:
                    continue  # learned in the last phase: nothing to forget
                sign = direction_sign(self.directions[task][name])
                earlier, final, learned = seen[:-1], seen[-1], seen[0]
                best = max(earlier, key=lambda v: sign * v)
                forgetting.setdefault(task, {})[name] = sign * (best - final)
                transfer.setdefault(task, {})[name] = sign * (final - learned)
                rel_forgetting.append(_relative(sign * (best - final), best))
                rel_transfer.append(_relative(sign * (final - learned),
                                              learned))
        return dict(
            final=self.final(),
            forgetting=forgetting,
            backward_transfer=transfer,
            average=dict(
                forgetting_pct=_mean(rel_forgetting),
                backward_transfer_pct=_mean(rel_transfer)))


def _relative(diff: float, reference: float) -> float:
    if reference == 0:
        return math.nan
    return 100.0 * diff / abs(reference)


def _mean(values: Sequence[float]) -> Optional[float]:
    values = [v for v in values if not math.isnan(v)]
    return sum(values) / len(values) if values else None


def delta_m(metrics: TaskMetrics, reference: TaskMetrics,
            directions: Directions) -> float:
    """Mean relative gain over a reference, in percent.

    ``Delta_m = 100 / K * sum_k s_k (M_k - M_ref,k) / M_ref,k`` over the K
    task metrics of ``reference``; ``s_k = -1`` for lower-is-better metrics.

    Args:
        metrics (dict): ``{task: {metric: value}}`` of the evaluated run.
        reference (dict): The same for the reference (e.g. fine-tuning).
        directions (dict): ``{task: {metric: 'higher' | 'lower'}}``.

    Returns:
        float: Delta_m in percent; 0 for a run compared with itself.
    """
    gains = []
    for task, ref_values in reference.items():
        for name, ref in ref_values.items():
            if name not in metrics.get(task, {}):
                raise KeyError(f'metric {task}/{name} of the reference is '
                               'missing in the compared run')
            if ref == 0:
                raise ZeroDivisionError(
                    f'reference value of {task}/{name} is 0; Delta_m is '
                    'undefined')
            sign = direction_sign(directions[task][name])
            gains.append(sign * (metrics[task][name] - ref) / abs(ref))
    if not gains:
        raise ValueError('the reference has no metric to compare with')
    return 100.0 * sum(gains) / len(gains)


def mean_ranks(runs: Sequence[TaskMetrics],
               directions: Directions) -> List[float]:
    """Average rank (1 = best) of each run over the task metrics.

    Ties share the mean of the ranks they span (competition-free, so the
    ranks of K runs always sum to K(K+1)/2 per metric).

    Args:
        runs (list[dict]): ``{task: {metric: value}}`` per run.
        directions (dict): Direction of every metric.

    Returns:
        list[float]: Mean Rank of each run, in the order given.
    """
    totals = [0.0] * len(runs)
    count = 0
    for task, names in directions.items():
        for name, direction in names.items():
            if not all(name in r.get(task, {}) for r in runs):
                continue
            sign = direction_sign(direction)
            scores = [sign * r[task][name] for r in runs]
            for i, score in enumerate(scores):
                better = sum(s > score for s in scores)
                equal = sum(s == score for s in scores)
                totals[i] += better + (equal + 1) / 2.0
            count += 1
    if count == 0:
        raise ValueError('the runs share no task metric to rank')
    return [t / count for t in totals]
