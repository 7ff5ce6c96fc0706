"""The frozen teacher's outputs on a phase's images, computed once.

The teacher does not change during a phase, and without random transforms
an image reaches it identically in every epoch, so its outputs can be
computed once when the phase begins (batched, no grad, eval mode, in which
BatchNorm and dropout make each image's output independent of its batch)
and read back by dataset index instead of running the teacher every step.
``float32`` storage returns exactly what the teacher would; ``float16`` /
``bfloat16`` halve the memory at their rounding.

A method that reads only the pseudo-label of some old tasks (HAD: argmax of
a classification task) has those stored as label maps (uint8, or int16
beyond 256 classes) instead of C channels of floats, and gets back a
one-hot map (a 0/1 map for one channel) whose pseudo-label is the teacher's
exactly: NYUv2's 13 classes take 1 byte a pixel instead of 52.
"""
from typing import Dict, Iterable, List, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

CACHE_DTYPES = ('float32', 'float16', 'bfloat16')


def random_transforms(pipeline: Iterable) -> List[str]:
    """Names of the transforms in ``pipeline`` that draw random numbers: a
    transform says so with a ``random`` attribute; one that does not is
    taken to be random when its name follows OpenMMLab's ``Random*``
    convention (mmcv's ``RandomFlip``, ``RandomResize``, ...)."""
    return [type(t).__name__ for t in pipeline
            if getattr(t, 'random', type(t).__name__.startswith('Random'))]


class TeacherCache:
    """Teacher outputs of one phase's images, by dataset index.

    Args:
        dtype (str): Storage precision of outputs, one of
            :data:`CACHE_DTYPES`.
        compact_labels (bool): Store the tasks the method reads only as
            pseudo-labels (``labels`` of :meth:`add`) as label maps;
            ``False`` keeps their outputs.
    """

    def __init__(self, dtype: str = 'float32',
                 compact_labels: bool = True) -> None:
        if dtype not in CACHE_DTYPES:
            raise ValueError(f'teacher cache dtype must be one of '
                             f'{CACHE_DTYPES}, got {dtype!r}')
        self.dtype = getattr(torch, dtype)
        self.compact_labels = compact_labels
        self.outputs: Dict[int, Dict[str, Tensor]] = {}
        #: Channels of each task stored as labels (1: a binary map).
        self.label_channels: Dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.outputs)

    def clear(self) -> None:
        self.outputs = {}
        self.label_channels = {}

    def nbytes(self) -> int:
        """Bytes held."""
        return sum(t.numel() * t.element_size()
                   for row in self.outputs.values() for t in row.values())

    def add(self,
            indices: Sequence[int],
            outputs: Dict[str, Tensor],
            labels: Optional[Dict[str, Tensor]] = None) -> None:
        """Store a batch, one row per index.

        Args:
            indices (list[int]): Dataset indices of the batch.
            outputs (dict[str, Tensor]): Teacher outputs (N, C, H, W).
            labels (dict[str, Tensor], optional): Tasks of ``outputs`` that
                are read only through their pseudo-label: the label map
                (N, H, W) of class indices (or 0/1 for one channel).
        """
        labels = labels if labels and self.compact_labels else {}
        # converted once per batch; each index keeps its row
        stored = {
            name: value.detach().to('cpu', self.dtype)
            for name, value in outputs.items() if name not in labels
        }
        for name, label in labels.items():
            channels = outputs[name].shape[1]
            self.label_channels[name] = channels
            stored[name] = label.to(
                'cpu', torch.uint8 if channels <= 256 else torch.int16)
        for row, index in enumerate(indices):
            self.outputs[int(index)] = {
                name: value[row]
                for name, value in stored.items()
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
            name: self._unpack(name, torch.stack([r[name] for r in rows]),
                               device)
            for name in names
        }

    def _unpack(self, name: str, stored: Tensor,
                device: torch.device) -> Tensor:
        """float32 (N, C, H, W): the output, or a label map as one-hot."""
        channels = self.label_channels.get(name)
        stored = stored.to(device)
        if channels is None:
            return stored.float()
        if channels == 1:
            return stored.float().unsqueeze(1)
        return F.one_hot(stored.long(), channels).permute(0, 3, 1,
                                                          2).float()
