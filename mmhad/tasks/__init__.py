from .base import DenseTask, RegressionTask, masked_mean
from .binary import BinaryTask
from .builder import build_tasks, config_tasks, declare_tasks, trained_tasks
from .dense_regression import DenseRegressionTask
from .depth import DepthTask
from .edge import EdgeTask
from .human_parts import HumanPartsTask
from .normal import NormalTask
from .output_forms import OutputForm, build_output_form
from .saliency import SaliencyTask
from .semantic import SemanticTask

__all__ = [
    'DenseTask', 'RegressionTask', 'masked_mean', 'SemanticTask', 'DepthTask',
    'NormalTask', 'BinaryTask', 'EdgeTask', 'SaliencyTask', 'HumanPartsTask',
    'DenseRegressionTask', 'build_tasks', 'config_tasks', 'declare_tasks',
    'trained_tasks', 'OutputForm', 'build_output_form'
]
