from .hooks import LifelongResultsHook
from .lifelong_train_loop import LifelongTrainLoop, phase_checkpoint_name
from .log_processor import LifelongLogProcessor

__all__ = [
    'LifelongTrainLoop', 'phase_checkpoint_name', 'LifelongResultsHook',
    'LifelongLogProcessor'
]
