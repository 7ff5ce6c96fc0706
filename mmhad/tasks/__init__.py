from .base import DenseTask, RegressionTask, masked_mean
from .depth import DepthTask
from .normal import NormalTask
from .semantic import SemanticTask

__all__ = [
    'DenseTask', 'RegressionTask', 'masked_mean', 'SemanticTask', 'DepthTask',
    'NormalTask'
]
