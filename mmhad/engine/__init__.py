from .cpu_autocast_optim_wrapper import CPUAutocastOptimWrapper
from .hooks import LifelongResultsHook
from .lifelong_train_loop import LifelongTrainLoop
from .log_processor import LifelongLogProcessor
from .runner import LifelongRunner
from .safe_checkpoint_loader import (CorruptCheckpointError,
                                     UnsafeCheckpointError, safe_load)
from .work_dir import (check_new_run, find_resume_checkpoint,
                       phase_checkpoint_name, phase_checkpoints)

__all__ = [
    'LifelongTrainLoop', 'LifelongRunner', 'phase_checkpoint_name',
    'phase_checkpoints',
    'LifelongResultsHook', 'LifelongLogProcessor', 'safe_load',
    'UnsafeCheckpointError', 'CorruptCheckpointError', 'check_new_run',
    'find_resume_checkpoint',
    'CPUAutocastOptimWrapper'
]
