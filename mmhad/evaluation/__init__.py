from .metrics import DenseTaskMetric

__all__ = ['DenseTaskMetric']
