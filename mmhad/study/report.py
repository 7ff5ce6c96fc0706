"""A study's report: the paper's figures per method over seeds and orders.

For every benchmark and regime, and every task order, the runs of each
method are compared seed by seed with the naive method's run of the same
seed by :class:`mmhad.evaluation.lifelong_report.SeedReport` (the class
behind ``tools/analysis/lifelong_report.py``): Delta_m over all tasks and
over the old tasks, the fraction of joint training's Delta_m, the Mean
Rank over the methods. Those per-seed values are then summarised as mean
+- std (SeedReport's own numbers) with a Student-t interval over seeds
(:mod:`mmhad.study.statistics`), per order and averaged over the orders
(per seed, the mean over orders), beside Delta_m of the seed-averaged
final values, and chosen pairs of methods are compared seed by seed (one
pair per seed, averaged over the orders: runs of one seed in several
orders are not independent pairs), with a sign test whose reach at that
number of pairs the report states.

A partial study is reported on what has finished: per benchmark and
regime, the seeds on which the naive method finished in every order, and
the methods finished on all of them; the report is marked partial and
lists what is missing. Every benchmark's fraction of joint
training's Delta_m is set in one table beside the paper's figure
(:data:`PAPER_JOINT_FRACTION`), so that no benchmark is read against it
alone.

Written into the study's folder: ``report.md``, ``report.csv`` (one row
per benchmark, regime, order, method and figure), ``per_seed.csv`` (one
row per benchmark, regime, order, method and seed: the values every mean
is taken from), ``report.json``, ``pairs.csv``; per benchmark and regime
``delta_m.png`` (bars with interval whiskers) and, with several orders,
``ranks.png``, ``orders.md`` and ``orders.png``; per order the report
tool's ``report.md``, ``report.csv``, ``per_seed.csv`` and
``delta_m.png``.
"""
import csv
import io
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence

from .run import is_finished
from .spec import Run, Study
from .statistics import (EXACT_UP_TO, bootstrap_ratio_interval,
                         paired_comparison, pairs_needed, smallest_p,
                         t_interval)

#: The significance level the report states the sign test's reach at.
ALPHA = 0.05

#: The summary figures, in table order, and their titles.
FIGURES = {
    'delta_m_naive': 'Δm all tasks (%)',
    'delta_m_naive_of_means': 'Δm of means, all tasks (%)',
    'delta_m_old': 'Δm old tasks (%)',
    'delta_m_old_of_means': 'Δm of means, old tasks (%)',
    'joint_fraction': "Δm / joint's",
    'mean_rank': 'Mean Rank',
}
#: Figures taken once from the seed-averaged final values: one number, no
#: spread over seeds to resample, so no interval.
OF_MEANS = ('delta_m_naive_of_means', 'delta_m_old_of_means')
#: The paper's Delta_m as a fraction of joint training's, by the paper's
#: method names. It comes from another benchmark and protocol, so the
#: report sets it beside every benchmark's fraction at once rather than
#: beside the one that happens to come closest; a study can give other
#: figures as ``report = dict(paper_joint_fraction=dict(...),
#: paper_setting='...')``.
PAPER_JOINT_FRACTION = {'HAD': 0.80, 'LwF': 0.61}
PAPER_SETTING = 'NYUv2, ResNet-18'
#: Figures the paired comparison looks at, with their direction.
PAIRED = {'delta_m_naive': True, 'delta_m_old': True, 'mean_rank': False}
OVER_ORDERS = 'mean over orders'


def no_nan(value):
    """NaN (an undefined ratio) as None, so report.json is strict JSON."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: no_nan(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [no_nan(v) for v in value]
    return value


def fmt(value: Optional[float], signed: bool = True) -> str:
    if value is None or value != value:  # None or NaN
        return '–'
    return f'{value:+.2f}' if signed else f'{value:.2f}'


class GroupReport:
    """One benchmark and regime of a study: its orders, methods and
    seeds.

    Args:
        runs (dict): ``{order label: {method: [work dir per seed]}}``, each
            method's dirs in the study's seed order; only methods whose
            runs have all finished.
        naive (str): The naive method.
        joint (str, optional): Joint training.
        seeds (list[int]): The seeds, in order.
        pairs (list[tuple]): ``(first, second)`` method pairs to compare.
        confidence, resamples, seed: Of the bootstrap.
    """

    def __init__(self, benchmark: str, regime: str, runs: Dict,
                 naive: str, joint: Optional[str], seeds: Sequence[int],
                 pairs: Sequence = (), confidence: float = 0.95,
                 resamples: int = 10000, seed: int = 0,
                 missing: Optional[Dict[str, List[str]]] = None,
                 study_seeds: Optional[Sequence[int]] = None) -> None:
        from mmhad.evaluation.lifelong_report import SeedReport, load_run
        self.benchmark, self.regime = benchmark, regime
        self.naive, self.seeds = naive, list(seeds)
        self.confidence, self.resamples, self.seed = (confidence, resamples,
                                                      seed)
        self.missing = missing or {}
        self.study_seeds = list(study_seeds or seeds)
        self.partial = bool(self.missing) or self.seeds != self.study_seeds
        self.records, self.reports, self._per_seed = {}, {}, {}
        self.errors: Dict[str, str] = {}
        self.study_joint = joint
        for label, methods in runs.items():
            if naive not in methods or not self.seeds:
                continue
            records = {m: [load_run(d) for d in dirs]
                       for m, dirs in methods.items()}
            others = [m for m in methods if m != naive]
            group_joint = joint if joint in methods else None
            try:
                report = SeedReport(
                    [records[m] for m in others], records[naive], others,
                    naive_name=naive, joint=group_joint, seeds=self.seeds)
                report.figures()
            except (ValueError, KeyError, ZeroDivisionError) as err:
                # e.g. a reference value of 0: Delta_m is undefined there
                self.errors[label] = f'{type(err).__name__}: {err}'
                continue
            self.records[label] = records
            self.reports[label] = report
        self.orders = list(self.reports)
        self.joint = joint if self.orders and all(
            joint in r.names for r in self.reports.values()) else None
        # methods with every order (averages over orders and pairs)
        self.methods = ([
            m for m in self.reports[self.orders[0]].names
            if all(m in r.names for r in self.reports.values())
        ] if self.orders else [])
        self.pairs = [(a, b) for a, b in pairs
                      if a in self.methods and b in self.methods]
        self.per_order = {o: self._order_stats(o) for o in self.orders}
        self.over_orders = (self._over_orders() if len(self.orders) > 1
                            else None)

    # -- numbers ------------------------------------------------------
    def per_seed(self, label: str) -> Dict[str, Dict[str, List[float]]]:
        """``{method: {figure: [value per seed]}}`` of one order, as the
        report tool's per-seed tables give them."""
        if label in self._per_seed:
            return self._per_seed[label]
        self._per_seed[label] = self.reports[label].samples()
        return self._per_seed[label]

    def _interval(self, values):
        return t_interval(values, self.confidence)

    def _summary(self, per_seed, figures=None, joint=None, of_means=None):
        """``{method: {figure: dict(mean, std, ci, per_seed)}}``; the
        figures of ``of_means`` (``{method: {figure: value}}``, one number
        each) have std, ci and per_seed None."""
        from mmhad.evaluation.lifelong_report import mean_std
        stats = {}
        for method, values in per_seed.items():
            out = stats[method] = {}
            for key, series in values.items():
                mean, std = (figures[method][key] if figures else
                             mean_std(series))
                out[key] = dict(mean=mean, std=std,
                                ci=list(self._interval(series)),
                                per_seed=list(series))
            for key, value in (of_means or {}).get(method, {}).items():
                out[key] = dict(mean=value, std=None, ci=None, per_seed=None)
            if joint is not None:
                top = values['delta_m_naive']
                bottom = per_seed[joint]['delta_m_naive']
                mean_top, mean_bottom = (sum(top) / len(top),
                                         sum(bottom) / len(bottom))
                fraction = (figures[method]['joint_fraction'][0]
                            if figures else
                            (mean_top / mean_bottom if mean_bottom else
                             float('nan')))
                out['joint_fraction'] = dict(
                    mean=fraction, std=None,
                    ci=list(bootstrap_ratio_interval(
                        top, bottom, self.confidence, self.resamples,
                        self.seed)),
                    per_seed=None)
        return stats

    def _of_means(self, label: str) -> Dict[str, Dict[str, float]]:
        """``{method: {figure: value}}`` of the order's Delta_m of the
        seed-averaged final values (SeedReport's own numbers)."""
        figures = self.reports[label].figures()
        return {m: {k: figures[m][k][0] for k in OF_MEANS if k in figures[m]}
                for m in figures}

    def _order_stats(self, label: str) -> dict:
        report = self.reports[label]
        joint = (self.study_joint if self.study_joint in report.names else
                 None)
        return self._summary(self.per_seed(label), report.figures(), joint,
                             self._of_means(label))

    def _over_orders(self) -> dict:
        """Per seed, every figure averaged over the orders; then mean, std
        and interval over seeds. Delta_m of the means: the mean over the
        orders of each order's (the old tasks differ from order to order,
        so there is no one set of seed-and-order-averaged old-task values
        to take it from)."""
        keys = [k for k in FIGURES
                if k != 'joint_fraction' and k not in OF_MEANS]
        averaged, of_means = {}, {}
        orders_of_means = [self._of_means(o) for o in self.orders]
        for method in self.methods:
            out = averaged[method] = {}
            for key in keys:
                series = [self.per_seed(o)[method].get(key)
                          for o in self.orders]
                if any(s is None for s in series):
                    continue
                out[key] = [sum(s[i] for s in series) / len(series)
                            for i in range(len(self.seeds))]
            for key in OF_MEANS:
                values = [m[method].get(key) for m in orders_of_means]
                if None not in values:
                    of_means.setdefault(method, {})[key] = (
                        sum(values) / len(values))
        return self._summary(averaged, None, self.joint, of_means)

    def paired(self) -> List[dict]:
        """Each pair, each figure: how often the first is ahead over the
        seeds (each seed's value averaged over the orders first: one seed
        in several orders is one pair, not several independent ones), the
        sign test and the smallest p-value it could give with that many
        untied pairs."""
        results = []
        for first, second in self.pairs:
            for key, higher in PAIRED.items():
                series = [(self.per_seed(o)[first][key],
                           self.per_seed(o)[second][key])
                          for o in self.orders
                          if key in self.per_seed(o)[first]
                          and key in self.per_seed(o)[second]]
                if not series:
                    continue
                a, b = ([sum(s[k][i] for s in series) / len(series)
                         for i in range(len(self.seeds))] for k in (0, 1))
                result = paired_comparison(a, b, higher_is_better=higher)
                results.append(dict(
                    first=first, second=second, figure=key, **result,
                    smallest_p=smallest_p(result['ahead'] +
                                          result['behind'])))
        return results

    # -- text ---------------------------------------------------------
    def _table(self, stats: dict, caption: str) -> str:
        from mmhad.evaluation.lifelong_report import markdown_table
        keys = [k for k in FIGURES
                if any(k in stats[m] for m in stats)]
        header = ['method']
        for key in keys:
            header.append(FIGURES[key])
            if key not in OF_MEANS:
                header.append(f'{self.confidence:.0%} interval')
        body = []
        for method in stats:
            row = [method]
            for key in keys:
                value = stats[method].get(key)
                if value is None:
                    row += ['–'] if key in OF_MEANS else ['–', '–']
                    continue
                signed = key.startswith('delta_m')
                cell = fmt(value['mean'], signed)
                if value['std'] is not None and len(self.seeds) > 1:
                    cell += f' ± {value["std"]:.2f}'
                row.append(cell)
                if key not in OF_MEANS:
                    low, high = value['ci']
                    row.append(f'[{fmt(low, signed)}, {fmt(high, signed)}]')
            body.append(row)
        return markdown_table(caption, header, body)

    def to_markdown(self) -> str:
        lines = [f'## {self.benchmark} / {self.regime}', '']
        for label, error in self.errors.items():
            lines += [f'Task order {label} is not reported: {error}', '']
        if self.partial:
            lines += [self._partial_note(), '']
        if not self.orders:
            lines += [f'Nothing to report yet: no seed of the naive method '
                      f'{self.naive} has finished in every task order.', '']
            return '\n'.join(lines)
        n = len(self.seeds)
        how = ('every resample enumerated' if n <= EXACT_UP_TO else
               f'{self.resamples} resamples, seed {self.seed}')
        joint = (f' Δm / joint\'s: mean Δm over {self.joint}\'s mean Δm, '
                 f'with a {self.confidence:.0%} percentile bootstrap '
                 f'interval ({how}, both means on the same resampled '
                 f'seeds), below its nominal coverage with {n} seeds.'
                 if self.joint else '')
        lines += [
            f'Δm is against {self.naive} (naive fine-tuning) of the same '
            f'seed and task order; mean ± std over {n} seed(s) and a '
            f'{self.confidence:.0%} Student-t interval over seeds (mean ± '
            f't·s/√n, {n - 1} degrees of freedom; none with one seed).'
            f'{joint} Δm of means: Δm taken once, from the final '
            'values averaged over seeds against those of '
            f'{self.naive} averaged the same way (with several orders, the '
            'mean over orders of each order\'s). Mean Rank ranks the '
            f'{len(self.methods)} methods per seed and order on every task '
            'metric. Every seed\'s values are in per_seed.csv.', ''
        ]
        if self.over_orders is not None:
            lines.append(self._table(
                self.over_orders,
                f'### Averaged over {len(self.orders)} task orders\n\n'
                'Per seed, each figure is averaged over the orders first.'))
        for label in self.orders:
            order = ' → '.join(self.reports[label].task_order)
            lines.append(self._table(self.per_order[label],
                                     f'### Task order {order}'))
        pairs = self.paired()
        if pairs:
            lines.append(self._pairs_markdown(pairs))
        return '\n'.join(lines)

    def _partial_note(self) -> str:
        seeds = (f'{len(self.seeds)} of the study\'s '
                 f'{len(self.study_seeds)} seeds ({self.seeds})')
        missing = '; '.join(f'{order}: {", ".join(methods)}'
                            for order, methods in self.missing.items())
        return (f'**Partial**: reported on {seeds}, the seeds on which '
                f'{self.naive} finished in every task order, and the '
                'methods finished on all of them.' +
                (f' Not yet reported (runs unfinished): {missing}.'
                 if missing else ''))

    def _pairs_markdown(self, pairs: List[dict]) -> str:
        from mmhad.evaluation.lifelong_report import markdown_table
        body = [[
            f'{p["first"]} vs {p["second"]}', FIGURES[p['figure']],
            str(p['ahead']), str(p['behind']), str(p['tied']),
            fmt(p['mean_difference']), f'{p["p_value"]:.3g}',
            f'{p["smallest_p"]:.3g}' + (
                '' if p['smallest_p'] < ALPHA else ' (cannot reach '
                f'{ALPHA:g})')
        ] for p in pairs]
        orders = (f', each seed\'s value averaged over the '
                  f'{len(self.orders)} task orders (runs of one seed are not '
                  'independent pairs)' if len(self.orders) > 1 else '')
        comparisons = len(pairs)
        return markdown_table(
            f'### Paired comparisons\n\nOne pair per seed ({len(self.seeds)} '
            f'pairs{orders}); "ahead": the first is better (a lower Mean '
            'Rank is better); exact two-sided sign test, ties left out. '
            f'With n untied pairs its smallest p is 2 / 2^n: it needs at '
            f'least {pairs_needed(ALPHA)} to be able to reach p < '
            f'{ALPHA:g}. {comparisons} comparisons are made here '
            f'(pairs x figures); at a family-wise {ALPHA:g}, each would '
            f'need p < {ALPHA / comparisons:.2g} (Bonferroni).',
            ['pair', 'figure', 'ahead', 'behind', 'tied',
             'mean difference', 'sign test p', 'smallest possible p'], body)

    def rows(self) -> List[list]:
        """CSV rows: order, method, figure, mean, std, interval, seeds."""
        rows = []
        blocks = [(o, self.per_order[o]) for o in self.orders]
        if self.over_orders is not None:
            blocks.append((OVER_ORDERS, self.over_orders))
        for label, stats in blocks:
            for method, figures in stats.items():
                for key, value in figures.items():
                    low, high = value['ci'] or ('', '')
                    rows.append([
                        self.benchmark, self.regime, label, method, key,
                        value['mean'],
                        '' if value['std'] is None else value['std'],
                        low, high, len(self.seeds)
                    ])
        return rows

    def per_seed_rows(self) -> List[dict]:
        """Every order's :meth:`SeedReport.per_seed_rows`, each row
        prefixed with the benchmark, regime and order."""
        rows = []
        for label, report in self.reports.items():
            for row in report.per_seed_rows():
                rows.append(dict(benchmark=self.benchmark,
                                 regime=self.regime, order=label, **row))
        return rows

    def joint_fractions(self) -> Dict[str, dict]:
        """``{method: {'mean': m, 'ci': [low, high]}}`` of Delta_m as a
        fraction of joint training's, averaged over the orders when there
        are several; empty without joint training."""
        if self.joint is None:
            return {}
        stats = self.over_orders or self.per_order[self.orders[0]]
        return {m: stats[m]['joint_fraction'] for m in stats
                if 'joint_fraction' in stats[m]}

    def to_dict(self) -> dict:
        return dict(
            benchmark=self.benchmark, regime=self.regime, naive=self.naive,
            joint=self.joint, seeds=self.seeds, partial=self.partial,
            orders=self.orders,
            methods=self.methods, missing=self.missing, errors=self.errors,
            per_order=self.per_order, over_orders=self.over_orders,
            pairs=self.paired())

    # -- files --------------------------------------------------------
    def write(self, folder: str) -> List[str]:
        """The report tool's files per order, orders.md, and the plots."""
        from mmhad.evaluation.lifelong_report import order_markdown
        from mmhad.visualization.lifelong_plots import (plot_order_bars,
                                                        plot_seed_bars)
        from .plots import plot_interval_bars, plot_rank_orders
        written = []
        for label, report in self.reports.items():
            out = osp.join(folder, label)
            os.makedirs(out, exist_ok=True)
            for name, text in (('report.md', report.to_markdown()),
                               ('report.csv', report.to_csv()),
                               ('per_seed.csv', report.per_seed_csv())):
                with open(osp.join(out, name), 'w') as f:
                    f.write(text)
                written.append(osp.join(out, name))
            keys = dict(delta_m_naive='all tasks')
            if report.old_tasks:
                keys['delta_m_old'] = (
                    f'old tasks ({", ".join(report.old_tasks)})')
            plot_seed_bars(report.figures(), keys,
                           f'Δm vs naive fine-tuning (%), mean ± std over '
                           f'{report.num_seeds} seeds',
                           osp.join(out, 'delta_m.png'))
            written.append(osp.join(out, 'delta_m.png'))
        if not self.orders:
            return written
        stats = self.over_orders or self.per_order[self.orders[0]]
        keys = {k: FIGURES[k] for k in ('delta_m_naive', 'delta_m_old')
                if any(k in stats[m] for m in stats)}
        where = (f'averaged over {len(self.orders)} orders'
                 if self.over_orders else
                 ' → '.join(self.reports[self.orders[0]].task_order))
        path = osp.join(folder, 'delta_m.png')
        plot_interval_bars(
            stats, keys, f'{self.benchmark}, {self.regime}: Δm vs '
            f'{self.naive} ({where}), mean and {self.confidence:.0%} '
            't-interval over seeds', path)
        written.append(path)
        if len(self.orders) > 1:
            reports = {o: self._subset(o) for o in self.orders}
            naive = {o: self.records[o][self.naive] for o in self.orders}
            with open(osp.join(folder, 'orders.md'), 'w') as f:
                f.write(order_markdown(reports, naive))
            plot_order_bars({o: r.figures() for o, r in reports.items()},
                            'delta_m_naive',
                            f'{self.benchmark}, {self.regime}: Δm over all '
                            'tasks in every task order',
                            osp.join(folder, 'orders.png'))
            plot_rank_orders(
                {o: {m: self.per_order[o][m]['mean_rank']['mean']
                     for m in self.methods} for o in self.orders},
                f'{self.benchmark}, {self.regime}: Mean Rank per task order',
                osp.join(folder, 'ranks.png'))
            written += [osp.join(folder, n)
                        for n in ('orders.md', 'orders.png', 'ranks.png')]
        return written

    def _subset(self, label: str):
        """The order's SeedReport restricted to the methods of every
        order (order_markdown needs the same rows in each)."""
        from mmhad.evaluation.lifelong_report import SeedReport
        records = self.records[label]
        others = [m for m in self.methods if m != self.naive]
        return SeedReport([records[m] for m in others], records[self.naive],
                          others, naive_name=self.naive, joint=self.joint,
                          seeds=self.seeds)


def collect(study: Study, runs: Optional[Sequence[Run]] = None,
            stale: Sequence[str] = ()):
    """``{(benchmark, regime): ({order: {method: [dirs]}}, missing,
    seeds)}`` over the study's finished runs.

    ``seeds`` are the study's seeds on which the naive method finished in
    every order of the group (all of them once the group is complete); an
    order holds the methods finished on every one of those seeds, and
    ``missing`` (order -> method names) the others. Runs named in
    ``stale`` (trained with another config than the study's now) count as
    unfinished.
    """
    groups: Dict = {}
    for run in runs if runs is not None else study.runs:
        order = groups.setdefault(run.group, {}).setdefault(
            run.order_label, {})
        order.setdefault(run.method, {})[run.seed] = run.work_dir

    stale_dirs = {run.work_dir for run in study.runs if run.name in stale}

    def done(dirs, seed):
        return seed in dirs and dirs[seed] not in stale_dirs and \
            is_finished(dirs[seed])

    out = {}
    for group, orders in groups.items():
        seeds = [s for s in study.seeds
                 if all(done(methods.get(study.naive, {}), s)
                        for methods in orders.values())]
        complete, missing = {}, {}
        for label, methods in orders.items():
            complete[label] = {}
            for method, dirs in methods.items():
                if seeds and all(done(dirs, s) for s in seeds):
                    complete[label][method] = [dirs[s] for s in seeds]
                if not all(done(dirs, s) for s in study.seeds):
                    lacking = [s for s in study.seeds if not done(dirs, s)]
                    missing.setdefault(label, []).append(
                        f'{method} (seeds {lacking})')
        out[group] = (complete, missing, seeds)
    return out


class StudyReport:
    """Every benchmark and regime of a study (see the module's doc)."""

    def __init__(self, study: Study) -> None:
        self.study = study
        settings = study.report_cfg
        self.confidence = float(settings.get('confidence', 0.95))
        self.resamples = int(settings.get('resamples', 10000))
        self.seed = int(settings.get('seed', 0))
        pairs = [tuple(p) for p in settings.get('pairs', [])]
        self.paper = dict(settings.get('paper_joint_fraction',
                                       PAPER_JOINT_FRACTION))
        self.paper_setting = settings.get('paper_setting', PAPER_SETTING)
        from .fingerprint import stale_runs
        self.stale = stale_runs(
            [r for r in study.runs if is_finished(r.work_dir)])
        self.groups = []
        for (benchmark, regime), (runs, missing, seeds) in collect(
                study, stale=self.stale).items():
            self.groups.append(GroupReport(
                benchmark, regime, runs, study.naive, study.joint, seeds,
                pairs, self.confidence, self.resamples, self.seed, missing,
                study_seeds=study.seeds))

    def to_markdown(self) -> str:
        study = self.study
        head = (f'# Study {study.name}\n\nSeeds {study.seeds}; '
                f'{len(study.orders)} task order(s); '
                f'{len(study.runs)} runs in all.\n')
        if self.stale:
            head += (f'\n{len(self.stale)} finished run(s) are left out: they '
                     'were trained with another config than the study\'s '
                     'now (its method config or options changed since); '
                     'tools/study.py --rerun-stale trains them again:\n\n' +
                     ''.join(f'- {name}: {why}\n'
                             for name, why in self.stale.items()))
        joint = self.joint_markdown()
        return (head + '\n' + (joint + '\n' if joint else '') +
                '\n'.join(g.to_markdown() for g in self.groups))

    def joint_markdown(self) -> str:
        """Every benchmark's fraction of joint training's Delta_m side by
        side, and the paper's figure beside them all (empty when no
        benchmark has joint training).

        One column per benchmark and regime, none picked out: a benchmark
        that comes close to the paper's figure is one of several readings,
        not the confirmation of it.
        """
        from mmhad.evaluation.lifelong_report import markdown_table
        groups = [g for g in self.groups if g.joint_fractions()]
        if not groups:
            return ''
        fractions = {f'{g.benchmark} / {g.regime}': g.joint_fractions()
                     for g in groups}
        # naive fine-tuning and joint training are 0 and 1 by definition
        skip = {self.study.naive, self.study.joint}
        methods = []
        for values in fractions.values():
            methods += [m for m in values if m not in skip and
                        m not in methods]
        body = []
        for method in methods:
            row = [method]
            for values in fractions.values():
                value = values.get(method)
                if value is None:
                    row.append('–')
                    continue
                low, high = value['ci']
                row.append(f'{fmt(value["mean"], False)} '
                           f'[{fmt(low, False)}, {fmt(high, False)}]')
            paper = self.paper.get(method)
            row.append('–' if paper is None else f'{paper:.2f}')
            body.append(row)
        orders = (' (averaged over the task orders where there are '
                  'several)' if any(g.over_orders is not None
                                    for g in groups) else '')
        return markdown_table(
            f'## Δm as a fraction of joint training\'s, every benchmark\n\n'
            f'Each method\'s mean Δm vs {self.study.naive} over '
            f'{self.study.joint}\'s, with its {self.confidence:.0%} '
            f'percentile bootstrap interval over seeds (below its nominal '
            f'coverage with few seeds){orders}, in '
            'every benchmark and regime of the study; the last column is '
            f'the paper\'s figure ({self.paper_setting}, its own protocol) '
            'for the method of that name, a different benchmark from each '
            'of these.',
            ['method'] + list(fractions) +
            [f'paper ({self.paper_setting})'], body)

    def to_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(['benchmark', 'regime', 'order', 'method', 'figure',
                         'mean', 'std', 'ci_low', 'ci_high', 'seeds'])
        for group in self.groups:
            writer.writerows(group.rows())
        return buffer.getvalue()

    def per_seed_csv(self) -> str:
        """Every benchmark's, regime's and order's per-seed values (the
        per-order ``per_seed.csv`` files in one table)."""
        from mmhad.evaluation.lifelong_report import rows_csv
        rows = [row for g in self.groups for row in g.per_seed_rows()]
        return rows_csv(rows) if rows else ''

    def pairs_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        keys = ['first', 'second', 'figure', 'n', 'ahead', 'behind', 'tied',
                'mean_difference', 'p_value', 'smallest_p']
        writer.writerow(['benchmark', 'regime'] + keys)
        for group in self.groups:
            for pair in group.paired():
                writer.writerow([group.benchmark, group.regime] +
                                [pair[k] for k in keys])
        return buffer.getvalue()

    def to_dict(self) -> dict:
        return dict(study=self.study.name, confidence=self.confidence,
                    stale=self.stale,
                    resamples=self.resamples, bootstrap_seed=self.seed,
                    exact_up_to_seeds=EXACT_UP_TO,
                    paper_joint_fraction=dict(figures=self.paper,
                                              setting=self.paper_setting),
                    groups=[g.to_dict() for g in self.groups])

    def write(self) -> List[str]:
        """All files into the study's folder; returns their paths."""
        root = self.study.root
        os.makedirs(root, exist_ok=True)
        written = []
        for name, text in (('report.md', self.to_markdown()),
                           ('report.csv', self.to_csv()),
                           ('per_seed.csv', self.per_seed_csv()),
                           ('pairs.csv', self.pairs_csv()),
                           ('report.json',
                            json.dumps(no_nan(self.to_dict()), indent=1))):
            path = osp.join(root, name)
            with open(path, 'w') as f:
                f.write(text)
            written.append(path)
        for group in self.groups:
            written += group.write(
                osp.join(root, group.benchmark, group.regime))
        return written
