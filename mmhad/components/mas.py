"""MAS: memory-aware synapses (Aljundi et al.)."""
from typing import Dict, Sequence

from torch import Tensor

from mmhad.registry import MODELS
from mmhad.structures import MultiTaskDataSample
from .parameter_regularization import ParameterRegularizer


@MODELS.register_module()
class MAS(ParameterRegularizer):
    """Anchor parameters by the sensitivity of the learned function.

    The importance of a parameter is the absolute gradient of the squared L2
    norm of the outputs of every head learned so far (averaged over pixels),
    averaged over batches of the phase's data. It needs no labels. See
    :class:`ParameterRegularizer` for the penalty and the knobs.
    """

    penalty_name = 'mas'

    def batch_importance(self, inputs: Tensor,
                         data_samples: Sequence[MultiTaskDataSample]
                         ) -> Dict[str, Tensor]:
        outputs = self.algorithm.predict_tasks(inputs)
        norm = sum((pred.float()**2).sum(dim=1).mean()
                   for pred in outputs.values())
        return {n: g.abs() for n, g in self._grads_of(norm).items()}
