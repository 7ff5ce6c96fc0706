"""The paper's main-table comparison of several lifelong runs.

One row per run: the final value of every task metric, Delta_m against naive
fine-tuning, Delta_m against single-task models (when given) and Mean Rank
over the compared runs. Runs are only compared when they learned the same
tasks in the same order with the same metrics.

Over several seeds (:class:`SeedReport`) the table gives mean ± std of each
seed's figures, Delta_m of the seed-averaged final values beside the mean
of the per-seed Delta_m, and every seed's own values as ``per_seed.csv``
(:meth:`SeedReport.per_seed_rows`), so that a reader can check each mean.
"""
import csv
import io
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence

from mmhad.engine.work_dir import RESULTS_FILE
from .lifelong_summary import LifelongRecord, TaskMetrics, delta_m, mean_ranks


def load_run(path: str) -> LifelongRecord:
    """Read a run from its work dir (or straight from its JSON file)."""
    if osp.isdir(path):
        path = osp.join(path, RESULTS_FILE)
    return LifelongRecord.from_json(path)


def check_comparable(records: Sequence[LifelongRecord]) -> None:
    """Refuse runs that cannot share one table.

    Raises:
        ValueError: If a run has not finished all its phases, or its task
            order or metric set differs from the first run's.
    """
    first = records[0]
    for record in records:
        if not record.complete:
            raise ValueError(
                f'{record.source} has finished {record.num_phases} phase(s) '
                f'of {len(record.task_order)} tasks; compare finished runs')
        if record.task_order != first.task_order:
            raise ValueError(
                f'{record.source} learned tasks in the order '
                f'{record.task_order}, but {first.source} in '
                f'{first.task_order}; runs with different task sets or '
                'orders are not averaged together')
        if record.task_metrics() != first.task_metrics():
            raise ValueError(
                f'{record.source} reports metrics {record.task_metrics()}, '
                f'but {first.source} reports {first.task_metrics()}')


def single_task_reference(records: Sequence[LifelongRecord],
                          task_order: Sequence[str]) -> Dict:
    """Merge one single-task run per task into a ``{task: metrics}`` table.

    Raises:
        ValueError: If a run learned several tasks, a task is given twice,
            or a task of ``task_order`` has no single-task run.
    """
    reference: Dict[str, Dict[str, float]] = {}
    for record in records:
        if len(record.task_order) != 1:
            raise ValueError(
                f'{record.source} learned {record.task_order}; a single-task '
                'reference run learns exactly one task')
        task = record.task_order[0]
        if task in reference:
            raise ValueError(f'two single-task runs for {task!r} '
                             f'(the second is {record.source})')
        reference[task] = record.final()[task]
    missing = [t for t in task_order if t not in reference]
    if missing:
        raise ValueError(f'no single-task run for {missing}; give one per '
                         f'task of {list(task_order)}')
    return reference


def column_title(task: str, metric: str, directions: Dict) -> str:
    """``'task/metric ↑'`` (or ↓ for lower-is-better metrics)."""
    arrow = '↑' if directions[task][metric] == 'higher' else '↓'
    return f'{task}/{metric} {arrow}'


def markdown_table(caption: str, header: Sequence[str],
                   body: Sequence[Sequence[str]]) -> str:
    """A caption and a Markdown table whose first column is left-aligned
    and the others right-aligned."""
    lines = ['| ' + ' | '.join(header) + ' |',
             '|---|' + '---:|' * (len(header) - 1)]
    lines += ['| ' + ' | '.join(row) + ' |' for row in body]
    return caption + '\n\n' + '\n'.join(lines) + '\n'


def old_tasks_note(old_tasks: Sequence[str]) -> str:
    return (f' "Δm old tasks" uses {", ".join(old_tasks)} only.'
            if old_tasks else '')


def naive_deltas(final: TaskMetrics, naive_final: TaskMetrics,
                 old_tasks: Sequence[str], directions: Dict) -> tuple:
    """Delta_m of ``final`` against naive fine-tuning over all tasks and
    over the old tasks only.

    The one place both figures are taken, whether ``final`` is one seed's
    final values or the mean over seeds (:func:`mean_metrics`).

    Args:
        final (dict): ``{task: {metric: value}}`` of the compared run.
        naive_final (dict): The same of naive fine-tuning.
        old_tasks (list[str]): Tasks learned before the last phase; empty
            for a single-phase naive run.
        directions (dict): ``{task: {metric: 'higher' | 'lower'}}``.

    Returns:
        tuple: ``(delta_m_naive, delta_m_old)``; ``delta_m_old`` is None
        without old tasks.
    """
    old = (delta_m(final, {t: naive_final[t] for t in old_tasks},
                   directions) if old_tasks else None)
    return delta_m(final, naive_final, directions), old


def mean_metrics(finals: Sequence[TaskMetrics]) -> TaskMetrics:
    """Metric by metric mean of several runs' ``{task: {metric: value}}``
    (the runs share their metrics: :func:`check_comparable`)."""
    return {
        task: {name: sum(f[task][name] for f in finals) / len(finals)
               for name in values}
        for task, values in finals[0].items()
    }


def recorded_seed(record: LifelongRecord) -> Optional[int]:
    """The seed a run's ``lifelong_results.json`` records (None for a
    record built in memory, or a file without one)."""
    if not osp.isfile(record.source):
        return None
    with open(record.source) as f:
        return json.load(f).get('seed')


def rows_csv(rows: Sequence[Dict]) -> str:
    """Dicts as CSV, the columns in the order they first appear (rows of
    different benchmarks may hold different metrics; a missing value is
    left empty)."""
    fields: List[str] = []
    for row in rows:
        fields += [k for k in row if k not in fields]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fields, restval='')
    writer.writeheader()
    writer.writerows(
        {k: '' if v is None else v for k, v in row.items()} for row in rows)
    return buffer.getvalue()


class LifelongReport:
    """Rows of the comparison table.

    Args:
        runs (list[LifelongRecord]): The compared runs; the naive run is
            added as a row if it is not among them.
        naive (LifelongRecord): Naive fine-tuning, the Delta_m reference.
        names (list[str], optional): Row names; the run dirs' names by
            default.
        single_task (list[LifelongRecord], optional): One run per task.
    """

    def __init__(self,
                 runs: Sequence[LifelongRecord],
                 naive: LifelongRecord,
                 names: Optional[Sequence[str]] = None,
                 single_task: Sequence[LifelongRecord] = ()) -> None:
        runs = list(runs)
        names = list(names) if names else [run_name(r) for r in runs]
        if len(names) != len(runs):
            raise ValueError(f'{len(names)} names for {len(runs)} runs')
        if naive.source not in [r.source for r in runs]:
            runs.insert(0, naive)
            names.insert(0, run_name(naive))
        check_comparable(runs)
        self.runs, self.names, self.naive = runs, names, naive
        self.naive_name = names[[r.source for r in runs].index(naive.source)]
        self.directions = naive.directions
        self.columns = naive.task_metrics()
        # Tasks learned before the naive run's last phase: how well a method
        # remembers, without the new task's plasticity mixed in.
        last = set(naive.phases[-1]['task'].split('+'))
        self.old_tasks = [t for t in naive.task_order if t not in last]
        self.single_task = (
            single_task_reference(single_task, naive.task_order)
            if single_task else None)

    def rows(self) -> List[dict]:
        """One dict per run: ``name``, ``final``, ``delta_m_naive``,
        ``delta_m_old`` (Delta_m vs naive over the old tasks only; None
        for a single-phase naive run), ``delta_m_single`` (or None) and
        ``mean_rank``."""
        finals = [r.final() for r in self.runs]
        ranks = mean_ranks(finals, self.directions)
        naive_final = self.naive.final()
        rows = []
        for name, final, rank in zip(self.names, finals, ranks):
            dm_all, dm_old = naive_deltas(final, naive_final, self.old_tasks,
                                          self.directions)
            rows.append(
                dict(
                    name=name,
                    final=final,
                    delta_m_naive=dm_all,
                    delta_m_old=dm_old,
                    delta_m_single=(delta_m(final, self.single_task,
                                            self.directions)
                                    if self.single_task else None),
                    mean_rank=rank))
        return rows

    def table(self) -> List[List[str]]:
        """Header and rows as strings (values to 2 decimals)."""
        header = ['method'] + [
            column_title(t, m, self.directions) for t, m in self.columns
        ] + ['Δm vs naive (%)']
        if self.old_tasks:
            header.append('Δm old tasks vs naive (%)')
        if self.single_task:
            header.append('Δm vs single-task (%)')
        header.append('Mean Rank')
        body = []
        for row in self.rows():
            line = [row['name']]
            line += [f'{row["final"][t][m]:.2f}' for t, m in self.columns]
            line.append(f'{row["delta_m_naive"]:+.2f}')
            if self.old_tasks:
                line.append(f'{row["delta_m_old"]:+.2f}')
            if self.single_task:
                line.append(f'{row["delta_m_single"]:+.2f}')
            line.append(f'{row["mean_rank"]:.2f}')
            body.append(line)
        return [header] + body

    def to_markdown(self) -> str:
        header, *body = self.table()
        order = ' → '.join(self.naive.task_order)
        return markdown_table(
            f'Task order: {order}. Final values after the last phase; '
            f'Δm against {self.naive_name} (naive fine-tuning).'
            f'{old_tasks_note(self.old_tasks)}', header, body)

    def to_csv(self) -> str:
        """Full-precision values, one column per task metric."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        header = ['method'] + [f'{t}/{m}' for t, m in self.columns] + [
            'delta_m_naive', 'delta_m_old', 'delta_m_single', 'mean_rank'
        ]
        writer.writerow(header)
        for row in self.rows():
            writer.writerow([row['name']] +
                            [row['final'][t][m] for t, m in self.columns] + [
                                row['delta_m_naive'],
                                '' if row['delta_m_old'] is None else
                                row['delta_m_old'],
                                '' if row['delta_m_single'] is None else
                                row['delta_m_single'], row['mean_rank']
                            ])
        return buffer.getvalue()


def run_name(record: LifelongRecord) -> str:
    """The name of a run's work dir."""
    return osp.basename(osp.dirname(osp.abspath(record.source)))


def flatten_summary(summary: dict) -> Dict[str, float]:
    """``{'final': {'depth': {'abs_err': v}}, 'average': {...}}`` ->
    ``{'final/depth/abs_err': v, 'average/forgetting_pct': ...}``."""
    flat: Dict[str, float] = {}
    for section, content in summary.items():
        for key, value in content.items():
            if isinstance(value, dict):
                for name, number in value.items():
                    flat[f'{section}/{key}/{name}'] = number
            elif value is not None:
                flat[f'{section}/{key}'] = value
    return flat


def aggregate_runs(records: Sequence[LifelongRecord]) -> Dict[str, tuple]:
    """Mean and sample std of every summary figure over repeated runs.

    Args:
        records (list[LifelongRecord]): Runs of one config and task order
            with different seeds.

    Returns:
        dict: ``{figure: (mean, std, n)}``; std is 0 for a single run.
    """
    check_comparable(records)
    samples: Dict[str, List[float]] = {}
    for record in records:
        for key, value in flatten_summary(record.summary()).items():
            samples.setdefault(key, []).append(value)
    return {key: mean_std(values) + (len(values), )
            for key, values in samples.items()}


def mean_std(values: Sequence[float]) -> tuple:
    """Mean and sample standard deviation (0 for one value)."""
    mean = sum(values) / len(values)
    var = (sum((v - mean)**2 for v in values) / (len(values) - 1)
           if len(values) > 1 else 0.0)
    return mean, var**0.5


class SeedReport:
    """The comparison table over seeds: mean ± std of every column.

    Each seed is compared on its own (seed s of every method against seed s
    of naive fine-tuning, so Delta_m pairs runs that share data order and
    initialisation), then the per-seed figures are averaged. Mean Rank is
    taken per seed over every row (naive fine-tuning included), then
    averaged. Beside the mean of the per-seed Delta_m the table gives
    Delta_m of the means: Delta_m taken once, from each method's final
    values averaged over seeds against naive fine-tuning's averaged the
    same way. They part when naive fine-tuning's values vary from seed to
    seed, since each seed's Delta_m divides by that seed's naive value: a
    seed with a poor naive run then weighs more in the mean of Delta_m.

    Args:
        runs (list[list[LifelongRecord]]): One list per method, one run per
            seed, in the seed order of ``naive``.
        naive (list[LifelongRecord]): Naive fine-tuning, one run per seed.
        names (list[str]): Row names, one per method.
        naive_name (str): The naive row's name.
        joint (str, optional): The row of joint training (the upper bound):
            every method's Delta_m vs naive is then also given as a fraction
            of joint training's (ratio of the means over seeds, as the paper
            compares "closes x % of the gap"; ``per_seed.csv`` gives each
            seed's own ratio).
        seeds (list, optional): The seed of each position, for
            ``per_seed.csv``; by default the seeds the naive runs' result
            files record, or the positions 0, 1, ... when one is not
            recorded.
    """

    def __init__(self, runs: Sequence[Sequence[LifelongRecord]],
                 naive: Sequence[LifelongRecord],
                 names: Sequence[str],
                 naive_name: str = 'naive',
                 joint: Optional[str] = None,
                 seeds: Optional[Sequence] = None) -> None:
        if len(names) != len(runs):
            raise ValueError(f'{len(names)} names for {len(runs)} methods')
        for name, seeds_of in zip(names, runs):
            if len(seeds_of) != len(naive):
                raise ValueError(
                    f'{name} has {len(seeds_of)} runs but the naive baseline '
                    f'{len(naive)}; give one run per seed to each')
        if joint is not None and joint not in names:
            raise ValueError(f'joint={joint!r} is not one of the rows '
                             f'{list(names)}')
        if seeds is None:
            seeds = [recorded_seed(r) for r in naive]
            if None in seeds:
                seeds = list(range(len(naive)))
        elif len(seeds) != len(naive):
            raise ValueError(f'{len(seeds)} seeds for {len(naive)} runs '
                             'per method')
        self.seeds = list(seeds)
        self.names = [naive_name] + list(names)
        self.joint = joint
        self.per_seed = [
            LifelongReport([naive[i]] + [seeds_of[i] for seeds_of in runs],
                           naive[i], names=self.names)
            for i in range(len(naive))
        ]
        first = self.per_seed[0]
        self.columns, self.directions = first.columns, first.directions
        self.old_tasks, self.num_seeds = first.old_tasks, len(naive)
        self.task_order = first.naive.task_order

    def samples(self) -> Dict[str, Dict[str, List[float]]]:
        """``{method: {column: [value of each seed]}}``; columns are
        ``task/metric``, ``delta_m_naive``, ``delta_m_old`` (with old tasks)
        and ``mean_rank``."""
        samples: Dict[str, Dict[str, List[float]]] = {}
        for report in self.per_seed:
            for row in report.rows():
                out = samples.setdefault(row['name'], {})
                values = {f'{t}/{m}': row['final'][t][m]
                          for t, m in self.columns}
                values['delta_m_naive'] = row['delta_m_naive']
                if row['delta_m_old'] is not None:
                    values['delta_m_old'] = row['delta_m_old']
                values['mean_rank'] = row['mean_rank']
                for key, value in values.items():
                    out.setdefault(key, []).append(value)
        return samples

    def mean_finals(self) -> Dict[str, TaskMetrics]:
        """``{method: {task: {metric: mean over seeds}}}``."""
        return {
            name: mean_metrics([r.runs[i].final() for r in self.per_seed])
            for i, name in enumerate(self.names)
        }

    def figures(self) -> Dict[str, Dict[str, tuple]]:
        """``{method: {column: (mean, std)}}`` over seeds of
        :meth:`samples`; ``delta_m_naive_of_means`` (and
        ``delta_m_old_of_means`` with old tasks): Delta_m of the
        seed-averaged final values (:meth:`mean_finals`); with ``joint``,
        ``joint_fraction``, the ratio of the mean Delta_m. The figures of
        means have std None."""
        samples = self.samples()
        figures = {name: {k: mean_std(v) for k, v in samples[name].items()}
                   for name in self.names}
        means = self.mean_finals()
        for name in self.names:
            dm_all, dm_old = naive_deltas(means[name], means[self.names[0]],
                                          self.old_tasks, self.directions)
            figures[name]['delta_m_naive_of_means'] = (dm_all, None)
            if dm_old is not None:
                figures[name]['delta_m_old_of_means'] = (dm_old, None)
        if self.joint is not None:
            upper = figures[self.joint]['delta_m_naive'][0]
            for values in figures.values():
                values['joint_fraction'] = (ratio(
                    values['delta_m_naive'][0], upper), None)
        return figures

    def per_seed_rows(self) -> List[Dict]:
        """The evidence behind :meth:`figures`: one dict per method and
        seed (in row, then seed order) with ``method``, ``seed``, every
        final ``task/metric``, ``delta_m_naive``, ``delta_m_old`` (with old
        tasks), ``joint_fraction`` (with ``joint``: that seed's Delta_m
        over joint training's of the same seed; NaN where joint's is 0)
        and ``mean_rank``, as :meth:`samples` gives them."""
        samples = self.samples()
        rows = []
        for name in self.names:
            values = samples[name]
            for i, seed in enumerate(self.seeds):
                row = dict(method=name, seed=seed)
                row.update({k: v[i] for k, v in values.items()
                            if k != 'mean_rank'})
                if self.joint is not None:
                    row['joint_fraction'] = ratio(
                        values['delta_m_naive'][i],
                        samples[self.joint]['delta_m_naive'][i])
                row['mean_rank'] = values['mean_rank'][i]
                rows.append(row)
        return rows

    def per_seed_csv(self) -> str:
        """:meth:`per_seed_rows` as CSV (``per_seed.csv``), full
        precision."""
        return rows_csv(self.per_seed_rows())

    def keys(self, of_means: bool = True) -> List[str]:
        """The columns of the table, in order; ``of_means=False`` leaves
        out Delta_m of the means (equal to the mean Delta_m for one
        seed)."""
        keys = [f'{t}/{m}' for t, m in self.columns] + ['delta_m_naive']
        if of_means:
            keys.append('delta_m_naive_of_means')
        if self.old_tasks:
            keys.append('delta_m_old')
            if of_means:
                keys.append('delta_m_old_of_means')
        return (keys + (['joint_fraction'] if self.joint else []) +
                ['mean_rank'])

    def to_markdown(self) -> str:
        figures = self.figures()
        several = self.num_seeds > 1
        titles = dict(
            delta_m_naive=('Δm vs naive (%), mean of seeds'
                           if several else 'Δm vs naive (%)'),
            delta_m_naive_of_means='Δm of means vs naive (%)',
            delta_m_old=('Δm old tasks vs naive (%), mean of seeds'
                         if several else 'Δm old tasks vs naive (%)'),
            delta_m_old_of_means='Δm of means, old tasks (%)',
            joint_fraction='Δm / joint\'s Δm',
            mean_rank='Mean Rank')
        titles.update({
            f'{t}/{m}': column_title(t, m, self.directions)
            for t, m in self.columns
        })
        keys = self.keys(of_means=several)

        def cell(name, key):
            mean, std = figures[name][key]
            if std is None or not several:
                return f'{mean:.2f}'
            return f'{mean:.2f} ± {std:.2f}'

        body = [[name] + [cell(name, k) for k in keys] for name in self.names]
        joint = (f' "Δm / joint\'s Δm" is the mean Δm vs naive over the '
                 f'mean of {self.joint}\'s.' if self.joint else '')
        spread = (f'Mean ± std over {self.num_seeds} seeds of the final '
                  'values; each seed\'s Δm is against naive fine-tuning of '
                  'the same seed, its Mean Rank over '
                  if several else
                  'Final values; Δm against naive fine-tuning, Mean Rank '
                  'over ')
        means = (' "Δm of means" is Δm taken once, from the final values '
                 'averaged over seeds against naive fine-tuning\'s averaged '
                 'the same way; every seed\'s values are in per_seed.csv.'
                 if several else '')
        return markdown_table(
            f'Task order: {" → ".join(self.task_order)}. {spread}'
            f'the {len(self.names)} rows.'
            f'{old_tasks_note(self.old_tasks)}{joint}{means}',
            ['method'] + [titles[k] for k in keys], body)

    def to_csv(self) -> str:
        """Full-precision mean and std of every column, a row per method
        (the std of a figure of means is left empty)."""
        figures, keys = self.figures(), self.keys()
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(['method'] + [f'{k}_{stat}' for k in keys
                                      for stat in ('mean', 'std')])
        for name in self.names:
            writer.writerow([name] + [v for k in keys
                                      for v in figures[name][k]])
        return buffer.getvalue()


def ratio(value: float, upper: float) -> float:
    """``value / upper``, NaN when ``upper`` is 0 (joint training no
    better than naive fine-tuning: the fraction is undefined)."""
    return value / upper if upper else float('nan')


def retention(record: LifelongRecord) -> Dict[str, float]:
    """How much of each old task a run keeps: the final value of the task's
    first metric as a percentage of its value right after the task's phase
    (100 = nothing forgotten; for a lower-is-better metric, the learned value
    over the final one, so that less is worse in both directions)."""
    kept = {}
    for task, series in record.matrices().items():
        name, values = next(iter(series.items()))
        seen = [v for v in values if v is not None]
        if len(seen) < 2 or not seen[-1]:
            continue  # learned in the last phase
        ratio = (seen[-1] / seen[0] if record.directions[task][name] ==
                 'higher' else seen[0] / seen[-1])
        kept[f'{task}/{name}'] = 100.0 * ratio
    return kept


def order_markdown(reports: Dict[str, SeedReport],
                   naive: Dict[str, Sequence[LifelongRecord]]) -> str:
    """Every task order side by side (the paper's Figure 1 question: does
    the ranking, and naive forgetting, hold whatever the order?).

    Args:
        reports (dict[str, SeedReport]): Order label -> its seed report
            (same methods in each).
        naive (dict[str, list[LifelongRecord]]): Order label -> the naive
            runs of that order.

    Returns:
        str: Two Markdown tables: Delta_m vs naive per method and order
        (with the mean over orders and the Mean Rank), and naive
        fine-tuning's retention of each old task per order.
    """
    orders = list(reports)
    figures = {o: reports[o].figures() for o in orders}
    names = reports[orders[0]].names
    body = []
    for name in names:
        dm = [figures[o][name]['delta_m_naive'][0] for o in orders]
        rank = [figures[o][name]['mean_rank'][0] for o in orders]
        body.append([name] + [f'{v:+.2f}' for v in dm] + [
            f'{sum(dm) / len(dm):+.2f}', f'{sum(rank) / len(rank):.2f}'
        ])
    seeds = reports[orders[0]].num_seeds
    text = markdown_table(
        f'Δm vs naive over all tasks (%), mean over {seeds} seed(s) per '
        'order; the last columns average over orders.',
        ['method'] + orders + ['mean', 'Mean Rank'], body)
    rows = []
    for order in orders:
        kept: Dict[str, List[float]] = {}
        for record in naive[order]:
            for key, value in retention(record).items():
                kept.setdefault(key, []).append(value)
        rows.append([order] + [
            f'{key}: {sum(v) / len(v):.1f} %' for key, v in kept.items()
        ])
    width = max(len(r) for r in rows)
    rows = [r + [''] * (width - len(r)) for r in rows]
    text += '\n' + markdown_table(
        'Naive fine-tuning: each old task\'s final value as a percentage of '
        'its value right after its own phase (first metric of the task; '
        '100 = nothing forgotten).',
        ['order'] + [f'old task {i + 1}' for i in range(width - 1)], rows)
    return text
