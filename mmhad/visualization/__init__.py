"""Figures of lifelong runs (matplotlib, PNG) and of predictions."""
from .figure_grid import draw_grid, figure_texts, figure_to_array
from .forgetting_strip import draw_strip, strips
from .lifelong_plots import (plot_matrix_heatmap, plot_seed_bars,
                             plot_task_curves)
from .multitask_visualizer import (MultiTaskVisualizer, TaskView,
                                   class_palette, draw_panel, make_view,
                                   render_task)

__all__ = [
    'plot_matrix_heatmap', 'plot_seed_bars', 'plot_task_curves',
    'MultiTaskVisualizer', 'render_task', 'class_palette', 'strips',
    'draw_strip', 'draw_panel', 'TaskView', 'make_view', 'draw_grid',
    'figure_to_array', 'figure_texts'
]
