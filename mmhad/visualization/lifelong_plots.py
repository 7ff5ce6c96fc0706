"""PNG figures of lifelong runs: per-task curves and task x phase heatmaps."""
import math
from typing import List, Sequence

import matplotlib

matplotlib.use('Agg')  # files only; never needs a display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from mmhad.evaluation.lifelong_summary import LifelongRecord  # noqa: E402


def plot_task_curves(records: Sequence[LifelongRecord], names: Sequence[str],
                     task: str, out_file: str) -> None:
    """One figure per task: each metric across phases, one line per run.

    A run with fewer phases (joint training in one phase) is drawn
    right-aligned, so every run's final value sits at the last tick.

    Args:
        records (list[LifelongRecord]): Runs with the same task order.
        names (list[str]): Legend entry of each run.
        task (str): The task to plot.
        out_file (str): PNG path.
    """
    metrics = list(records[0].directions[task])
    cols = min(len(metrics), 3)
    rows = math.ceil(len(metrics) / cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    longest = max(records, key=lambda r: r.num_phases)
    phase_labels = [f'{p["phase"]}\n{p["task"]}' for p in longest.phases]
    # tab10 repeats after ten runs; tab20 keeps up to twenty apart.
    colors = plt.get_cmap('tab10' if len(records) <= 10 else 'tab20').colors
    for ax, metric in zip(axes.flat, metrics):
        for index, (record, name) in enumerate(zip(records, names)):
            values = record.matrices()[task][metric]
            # Runs with fewer phases (joint training) end where the others
            # end: their last phase is drawn at the last tick.
            offset = longest.num_phases - record.num_phases
            xs = [offset + i + 1 for i, v in enumerate(values)
                  if v is not None]
            ys = [v for v in values if v is not None]
            ax.plot(xs, ys, marker='o', label=name,
                    color=colors[index % len(colors)])
        arrow = '↑' if records[0].directions[task][metric] == 'higher' else '↓'
        ax.set_title(f'{task} {metric} {arrow}')
        ax.set_xticks(range(1, len(phase_labels) + 1), phase_labels)
        ax.set_xlim(0.7, len(phase_labels) + 0.3)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(metrics):]:
        ax.axis('off')
    # The legend sits beside the plots, where it hides no curve.
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=8, loc='center left',
               bbox_to_anchor=(1.0, 0.5))
    fig.suptitle(f'{task} after each phase')
    fig.tight_layout()
    fig.savefig(out_file, dpi=110, bbox_inches='tight')
    plt.close(fig)


def plot_matrix_heatmap(record: LifelongRecord, title: str,
                        out_file: str) -> None:
    """A run's task x phase matrix, every metric one row.

    Colours are normalised per row and oriented by the metric's direction
    (darker = better), so rows with different units can share one picture;
    the numbers are the raw values.

    Args:
        record (LifelongRecord): The run.
        title (str): Figure title.
        out_file (str): PNG path.
    """
    labels: List[str] = []
    rows: List[List[float]] = []
    for task, series in record.matrices().items():
        for metric, values in series.items():
            arrow = '↑' if record.directions[task][metric] == 'higher' else '↓'
            labels.append(f'{task}/{metric} {arrow}')
            rows.append([math.nan if v is None else v for v in values])
    values = np.array(rows, dtype=float)
    shade = np.full_like(values, math.nan)
    for i, (label, row) in enumerate(zip(labels, values)):
        seen = row[~np.isnan(row)]
        span = seen.max() - seen.min()
        if span == 0:  # one value (or all equal): nothing to compare
            shade[i] = np.where(np.isnan(row), np.nan, 0.5)
            continue
        scaled = (row - seen.min()) / span
        shade[i] = scaled if label.endswith('↑') else 1.0 - scaled
    fig, ax = plt.subplots(
        figsize=(1.6 * values.shape[1] + 3, 0.42 * len(labels) + 1.2))
    ax.imshow(
        np.ma.masked_invalid(shade), cmap='Blues', vmin=-0.3, vmax=1.0,
        aspect='auto')
    for (i, j), value in np.ndenumerate(values):
        if not math.isnan(value):
            ax.text(j, i, f'{value:.3g}', ha='center', va='center',
                    fontsize=8,
                    color='white' if shade[i, j] > 0.6 else 'black')
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xticks(
        range(values.shape[1]),
        [f'after {p["phase"]}:{p["task"]}' for p in record.phases],
        fontsize=8)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)
    plt.close(fig)


def plot_bars(bars: dict, keys: dict, title: str, out_file: str,
              title_size=None) -> None:
    """One panel per figure (e.g. Δm), a bar per method at its value, with
    a whisker below and above.

    Args:
        bars (dict): ``{method: {key: (value, below, above)}}``, the
            whisker's lengths below and above the value; a method without
            a key has no bar in that panel.
        keys (dict[str, str]): The figures to draw, one panel each, and
            the panels' titles.
        title (str): Figure title.
        out_file (str): PNG path.
        title_size (float, optional): Font size of the title.
    """
    names = list(bars)
    # side by side for a few methods; one panel under the other for many,
    # which would otherwise make a strip too wide to read
    stacked = len(names) > 8
    width = max(4.0, (0.6 if stacked else 0.9) * len(names) + 1.5)
    rows, cols = (len(keys), 1) if stacked else (1, len(keys))
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, 3.6 * rows),
                             squeeze=False)
    colors = plt.get_cmap('tab10' if len(names) <= 10 else 'tab20').colors
    for ax, key in zip(axes.flat, keys):
        shown = [n for n in names if key in bars[n]]
        ax.bar(range(len(shown)), [bars[n][key][0] for n in shown],
               yerr=[[bars[n][key][1] for n in shown],
                     [bars[n][key][2] for n in shown]],
               capsize=4,
               color=[colors[names.index(n) % len(colors)] for n in shown])
        ax.axhline(0, color='black', linewidth=0.8)
        ax.set_xticks(range(len(shown)))
        ax.set_xticklabels(shown, rotation=30, ha='right')
        ax.set_title(keys[key])
        ax.grid(axis='y', alpha=0.3)
    fig.suptitle(title, fontsize=title_size)
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)
    plt.close(fig)


def plot_seed_bars(figures: dict, keys: dict, title: str,
                   out_file: str) -> None:
    """:func:`plot_bars` of the mean over seeds, the standard deviation as
    the error bar.

    Args:
        figures (dict): ``{method: {key: (mean, std)}}``, as
            :meth:`mmhad.evaluation.lifelong_report.SeedReport.figures`.
        keys (dict[str, str]): The figures to draw and the panels' titles.
        title (str): Figure title.
        out_file (str): PNG path.
    """
    plot_bars({name: {key: (values[key][0], values[key][1], values[key][1])
                      for key in keys if key in values}
               for name, values in figures.items()}, keys, title, out_file)


def plot_order_bars(figures: dict, key: str, title: str,
                    out_file: str) -> None:
    """Grouped bars: one group per task order, one bar per method.

    Args:
        figures (dict): ``{order: {method: {key: (mean, std)}}}``, each
            value as :meth:`SeedReport.figures` returns it.
        key (str): The figure to draw (e.g. ``'delta_m_naive'``).
        title (str): Figure title.
        out_file (str): PNG path.
    """
    orders = list(figures)
    names = list(figures[orders[0]])
    width = 0.8 / len(names)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.6 * len(orders) + 2), 4.2))
    colors = plt.get_cmap('tab10').colors
    for i, name in enumerate(names):
        means = [figures[o][name][key][0] for o in orders]
        stds = [figures[o][name][key][1] for o in orders]
        ax.bar(np.arange(len(orders)) + (i - (len(names) - 1) / 2) * width,
               means, width, yerr=stds, capsize=2, label=name,
               color=colors[i % len(colors)])
    ax.axhline(0, color='black', linewidth=0.8)
    ax.set_xticks(range(len(orders)))
    ax.set_xticklabels([o.replace('-', '\n→ ') for o in orders],
                       fontsize=8)
    ax.set_xlabel('task order')
    ax.set_ylabel('Δm vs naive fine-tuning (%)')
    ax.legend(fontsize=8, ncol=min(len(names), 5))
    ax.grid(axis='y', alpha=0.3)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)
    plt.close(fig)
