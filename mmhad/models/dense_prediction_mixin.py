"""mmengine's forward modes for a multi-task dense model, written once."""
from typing import List, Optional, Union

import torch
from torch import Tensor

from mmhad.structures import MultiTaskDataSample


class DensePredictionMixin:
    """``forward`` and ``predict`` in terms of what the model provides:
    ``loss(inputs, data_samples)``, ``predict_tasks(inputs)`` (activated
    outputs (N, C, H, W) of every task with a head) and ``tasks`` (task
    name -> :class:`~mmhad.tasks.DenseTask`). Shared by the architecture
    (:class:`~mmhad.models.LifelongDensePredictor`) and the algorithm that
    wraps it (:class:`~mmhad.algorithms.LifelongAlgorithm`)."""

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[List[MultiTaskDataSample]] = None,
                mode: str = 'tensor') -> Union[dict, list]:
        """mmengine entry point: ``'loss'`` (the model's training losses),
        ``'predict'`` (fills ``pred_<task>`` of the data samples for every
        head) or ``'tensor'`` (the activated outputs as a dict)."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.predict_tasks(inputs)
        raise ValueError(f'unknown mode {mode!r}; expected loss, predict or '
                         'tensor')

    def predict(
        self,
        inputs: Tensor,
        data_samples: Optional[List[MultiTaskDataSample]] = None
    ) -> List[MultiTaskDataSample]:
        """Predict every task that has a head and store each decoded
        prediction (``pred_<task>``) in its image's data sample (new
        samples when ``data_samples`` is None)."""
        with torch.no_grad():
            outputs = self.predict_tasks(inputs)
        if data_samples is None:
            data_samples = [MultiTaskDataSample() for _ in range(len(inputs))]
        for name, pred in outputs.items():
            task = self.tasks[name]
            for sample, value in zip(data_samples, task.decode(pred)):
                sample.set_field(value, task.pred_key)
        return data_samples
