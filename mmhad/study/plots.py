"""A study's figures: Delta_m bars with interval whiskers, ranks per order."""
from typing import Dict

import matplotlib

matplotlib.use('Agg')  # files only
import matplotlib.pyplot as plt  # noqa: E402

from mmhad.visualization.lifelong_plots import plot_bars  # noqa: E402


def _colors(count: int):
    return plt.get_cmap('tab10' if count <= 10 else 'tab20').colors


def plot_interval_bars(stats: Dict[str, dict], keys: Dict[str, str],
                       title: str, out_file: str) -> None:
    """One panel per figure, a bar per method at its mean, the whisker
    spanning its interval (:func:`~mmhad.visualization.lifelong_plots.
    plot_bars`).

    Args:
        stats (dict): ``{method: {key: {'mean': m, 'ci': [low, high]}}}``.
        keys (dict): The figures to draw and their panel titles.
        title (str): Figure title.
        out_file (str): PNG path.
    """
    bars = {
        name: {key: (values[key]['mean'],
                     max(values[key]['mean'] - values[key]['ci'][0], 0),
                     max(values[key]['ci'][1] - values[key]['mean'], 0))
               for key in keys if key in values}
        for name, values in stats.items()
    }
    plot_bars(bars, keys, title, out_file, title_size=10)


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
