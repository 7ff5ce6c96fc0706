"""Mixed precision on CPU: bf16 autocast around the forward pass.

mmengine's ``AmpOptimWrapper`` refuses to run without an accelerator. On a
CPU, bf16 needs no loss scaling (its exponent range is fp32's), so autocast
around the forward pass is all there is to it; the distillation losses
compute in fp32 (``tests/test_algorithms/test_mixed_precision.py``).
"""
from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper

from mmhad.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class CPUAutocastOptimWrapper(OptimWrapper):
    """:class:`OptimWrapper` whose forward runs under CPU autocast.

    Args:
        dtype (str): ``'bfloat16'`` (CPU autocast supports it natively) or
            ``'float16'``.
        **kwargs: See :class:`mmengine.optim.OptimWrapper`.
    """

    def __init__(self, dtype: str = 'bfloat16', **kwargs) -> None:
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, dtype)

    @contextmanager
    def optim_context(self, model):
        with super().optim_context(model), torch.autocast(
                'cpu', dtype=self.cast_dtype):
            yield
