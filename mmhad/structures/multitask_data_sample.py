"""Data sample carrying the ground truth and predictions of several tasks."""
from typing import Sequence

import torch
from mmengine.structures import BaseDataElement
from torch import Tensor


class MultiTaskDataSample(BaseDataElement):
    """One image's annotations and predictions, one field per task.

    Fields are named ``gt_<task>`` and ``pred_<task>``; tensors are (H, W)
    for class maps and (C, H, W) otherwise. Meta information:
    ``img_path``, ``sample_idx``, ``img_shape``, ``ori_shape``, ``flip``,
    ``scale``.
    """


def stack_task_field(data_samples: Sequence[BaseDataElement],
                     key: str) -> Tensor:
    """Stack one field of every sample into a batch tensor.

    Raises:
        KeyError: If a sample lacks the field (e.g. a task's ground truth that
            the dataset did not load), naming the sample.
        ValueError: If the shapes differ, naming them.
    """
    tensors = []
    for sample in data_samples:
        if key not in sample:
            raise KeyError(
                f'data sample {sample.metainfo.get("img_path", "?")} has no '
                f'field {key!r}; it has {sorted(sample.keys())}')
        tensors.append(sample.get(key))
    shapes = {tuple(t.shape) for t in tensors}
    if len(shapes) > 1:
        raise ValueError(f'cannot batch {key!r}: shapes differ {shapes}')
    return torch.stack(tensors)
