from .base import (COMPONENT_KINDS, COMPONENT_ROLES, IsolationComponent,
                   LifelongComponent, LossComponent, OldTaskWeighting,
                   StepFilterComponent)
from .ewc import EWC
from .feature_distillation import FeatureDistillation
from .had import HAD
from .had_reference import (ReferenceForegroundGrouping, ReferenceHAD,
                            ReferenceSalienceGuidedLoss)
from .importance import ImportanceEstimator
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
    'COMPONENT_KINDS', 'COMPONENT_ROLES', 'LifelongComponent', 'LossComponent',
    'IsolationComponent', 'OldTaskWeighting', 'StepFilterComponent',
    'ImportanceEstimator', 'HAD', 'ReferenceHAD',
    'ReferenceForegroundGrouping',
    'ReferenceSalienceGuidedLoss', 'LwF',
    'AttentionDistillation', 'EWC', 'MAS', 'ParameterRegularizer',
    'FeatureDistillation', 'StructuredDistillation', 'ExemplarReplay', 'SPG',
    'SGP', 'Piggyback', 'AdaptiveOldTaskWeighting'
]
