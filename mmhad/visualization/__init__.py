"""Figures of lifelong runs (matplotlib, PNG) and of predictions."""
from .forgetting_strip import strips
from .lifelong_plots import (plot_matrix_heatmap, plot_seed_bars,
                             plot_task_curves)
from .multitask_visualizer import (MultiTaskVisualizer, class_palette,
                                   render_task)

__all__ = [
    'plot_matrix_heatmap', 'plot_seed_bars', 'plot_task_curves',
    'MultiTaskVisualizer', 'render_task', 'class_palette', 'strips'
]
