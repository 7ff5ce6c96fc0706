from .dense_task_metric import DenseTaskMetric

__all__ = ['DenseTaskMetric']
