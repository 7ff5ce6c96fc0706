from .lifelong_algorithm import (LifelongAlgorithm, NonFiniteLossError,
                                 check_finite)
from .teacher_cache import TeacherCache, random_transforms
from .teacher_pass import TeacherPass
from .train_step import TrainStep

__all__ = [
    'LifelongAlgorithm', 'NonFiniteLossError', 'check_finite',
    'TeacherCache', 'random_transforms', 'TeacherPass', 'TrainStep'
]
