from .base import COMPONENT_KINDS, LifelongComponent
from .ewc import EWC
from .feature_distillation import FeatureDistillation
from .had import HAD
from .lwf import LwF
from .lwm import AttentionDistillation
from .mas import MAS
from .old_task_weighting import AdaptiveOldTaskWeighting
from .parameter_regularization import ParameterRegularizer
from .piggyback import Piggyback
from .replay import ExemplarReplay
from .sgp import SGP
from .spg import SPG
from .structured_distillation import StructuredDistillation

__all__ = [
    'COMPONENT_KINDS', 'LifelongComponent', 'HAD', 'LwF',
    'AttentionDistillation', 'EWC', 'MAS', 'ParameterRegularizer',
    'FeatureDistillation', 'StructuredDistillation', 'ExemplarReplay', 'SPG',
    'SGP', 'Piggyback', 'AdaptiveOldTaskWeighting'
]
