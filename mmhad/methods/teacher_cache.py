"""The frozen teacher's outputs on a phase's images, computed once.

The teacher does not change during a phase, and without random transforms
an image reaches it identically in every epoch, so its outputs can be
computed once when the phase begins (batched, no grad, eval mode, in which
BatchNorm and dropout make each image's output independent of its batch)
and read back by dataset index instead of running the teacher every step.
``float32`` storage returns exactly what the teacher would; ``float16`` /
``bfloat16`` halve the memory at their rounding.
"""
from typing import Dict, Iterable, List, Optional, Sequence

import torch
from torch import Tensor

CACHE_DTYPES = ('float32', 'float16', 'bfloat16')


def random_transforms(pipeline: Iterable) -> List[str]:
    """Names of the transforms in ``pipeline`` that draw random numbers
    (by the OpenMMLab convention, ``Random*``)."""
    return [type(t).__name__ for t in pipeline
            if type(t).__name__.startswith('Random')]


class TeacherCache:
    """Teacher outputs of one phase's images, by dataset index.

    Args:
        dtype (str): Storage precision, one of :data:`CACHE_DTYPES`.
    """

    def __init__(self, dtype: str = 'float32') -> None:
        if dtype not in CACHE_DTYPES:
            raise ValueError(f'teacher cache dtype must be one of '
                             f'{CACHE_DTYPES}, got {dtype!r}')
        self.dtype = getattr(torch, dtype)
        self.outputs: Dict[int, Dict[str, Tensor]] = {}

    def __len__(self) -> int:
        return len(self.outputs)

    def clear(self) -> None:
        self.outputs = {}

    def add(self, indices: Sequence[int], outputs: Dict[str, Tensor]) -> None:
        """Store a batch: ``outputs[task]`` is (N, C, H, W), one row per
        index."""
        for row, index in enumerate(indices):
            self.outputs[int(index)] = {
                name: value[row].detach().to('cpu', self.dtype)
                for name, value in outputs.items()
            }

    def get(self, indices: Sequence[Optional[int]], names: Sequence[str],
            device: torch.device) -> Optional[Dict[str, Tensor]]:
        """The stacked outputs (N, C, H, W) of ``names`` for ``indices`` in
        float32, or ``None`` when any index or task is not cached (e.g.
        replayed images of an earlier phase)."""
        rows = [self.outputs.get(i) for i in indices]
        if not rows or any(r is None or any(n not in r for n in names)
                           for r in rows):
            return None
        return {
            name: torch.stack([r[name] for r in rows]).to(device,
                                                          torch.float32)
            for name in names
        }
