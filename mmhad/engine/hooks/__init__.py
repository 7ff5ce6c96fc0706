from .checkpoint_fit_hook import CheckpointFitHook
from .forgetting_strip_hook import ForgettingStripHook
from .lifelong_results_hook import (LifelongResultsHook, format_phase_table,
                                    nest_metrics)
from .multitask_visualization_hook import MultiTaskVisualizationHook
from .progress_bar_hook import ProgressBarHook
from .rng_state_hook import RNGStateHook
from .trained_tasks_hook import TrainedTasksHook
from .weights_only_checkpoint_hook import (WeightsOnlyCheckpointHook,
                                           buffers_to_tensors,
                                           tensors_to_buffers)

__all__ = [
    'LifelongResultsHook', 'format_phase_table', 'nest_metrics',
    'RNGStateHook', 'WeightsOnlyCheckpointHook', 'buffers_to_tensors',
    'tensors_to_buffers', 'MultiTaskVisualizationHook', 'ForgettingStripHook',
    'ProgressBarHook', 'CheckpointFitHook', 'TrainedTasksHook'
]
