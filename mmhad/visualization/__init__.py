"""Figures of lifelong runs (matplotlib, PNG)."""
from .lifelong_plots import (plot_matrix_heatmap, plot_seed_bars,
                             plot_task_curves)

__all__ = ['plot_matrix_heatmap', 'plot_seed_bars', 'plot_task_curves']
