"""A study's figures: Delta_m bars with interval whiskers, ranks per order."""
from typing import Dict

import matplotlib

matplotlib.use('Agg')  # files only
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def _colors(count: int):
    return plt.get_cmap('tab10' if count <= 10 else 'tab20').colors


def plot_interval_bars(stats: Dict[str, dict], keys: Dict[str, str],
                       title: str, out_file: str) -> None:
    """One panel per figure, a bar per method at its mean, the whisker
    spanning its interval.

    Args:
        stats (dict): ``{method: {key: {'mean': m, 'ci': [low, high]}}}``.
        keys (dict): The figures to draw and their panel titles.
        title (str): Figure title.
        out_file (str): PNG path.
    """
    names = list(stats)
    many = len(names) > 8
    width = max(4.0, (0.6 if many else 0.9) * len(names) + 1.5)
    rows, cols = (len(keys), 1) if many else (1, len(keys))
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, 3.6 * rows),
                             squeeze=False)
    colors = _colors(len(names))
    for ax, key in zip(axes.flat, keys):
        shown = [n for n in names if key in stats[n]]
        means = np.array([stats[n][key]['mean'] for n in shown])
        lows = np.array([stats[n][key]['ci'][0] for n in shown])
        highs = np.array([stats[n][key]['ci'][1] for n in shown])
        whiskers = np.vstack([np.clip(means - lows, 0, None),
                              np.clip(highs - means, 0, None)])
        ax.bar(range(len(shown)), means, yerr=whiskers, capsize=4,
               color=[colors[names.index(n) % len(colors)] for n in shown])
        ax.axhline(0, color='black', linewidth=0.8)
        ax.set_xticks(range(len(shown)))
        ax.set_xticklabels(shown, rotation=30, ha='right')
        ax.set_title(keys[key])
        ax.grid(axis='y', alpha=0.3)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(out_file, dpi=110)
    plt.close(fig)


def plot_rank_orders(ranks: Dict[str, Dict[str, float]], title: str,
                     out_file: str) -> None:
    """The Mean Rank of each method in each task order, a line per
    method (1 = best, at the top).

    Args:
        ranks (dict): ``{order: {method: mean rank}}``.
        title (str): Figure title.
        out_file (str): PNG path.
    """
    orders = list(ranks)
    names = list(ranks[orders[0]])
    colors = _colors(len(names))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.4 * len(orders) + 2), 4.2))
    for i, name in enumerate(names):
        ax.plot(range(len(orders)), [ranks[o][name] for o in orders],
                marker='o', label=name, color=colors[i % len(colors)])
    ax.set_xticks(range(len(orders)))
    ax.set_xticklabels([o.replace('-', '\n→ ') for o in orders], fontsize=8)
    ax.set_xlabel('task order')
    ax.set_ylabel('Mean Rank (1 = best)')
    ax.invert_yaxis()
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc='center left', bbox_to_anchor=(1.0, 0.5))
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(out_file, dpi=110, bbox_inches='tight')
    plt.close(fig)
