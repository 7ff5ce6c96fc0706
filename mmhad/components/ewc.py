"""EWC: elastic weight consolidation with a diagonal Fisher (Kirkpatrick et
al.)."""
from typing import Dict, Sequence

from torch import Tensor

from mmhad.registry import MODELS
from mmhad.structures import MultiTaskDataSample
from .parameter_regularization import ParameterRegularizer


@MODELS.register_module()
class EWC(ParameterRegularizer):
    """Anchor parameters by the diagonal of the empirical Fisher information.

    The Fisher of a phase is the squared gradient of the phase's supervised
    loss, averaged over batches of its training data (a batch-level
    approximation of the per-sample expectation; it is cheaper and only
    rescales the importance, which ``loss_weight`` absorbs). See
    :class:`ParameterRegularizer` for the penalty and the knobs.
    """

    penalty_name = 'ewc'

    def batch_importance(self, inputs: Tensor,
                         data_samples: Sequence[MultiTaskDataSample]
                         ) -> Dict[str, Tensor]:
        return {
            n: g**2
            for n, g in self._new_task_grads(inputs, data_samples).items()
        }
