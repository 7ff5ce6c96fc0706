import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmhad.registry import TRANSFORMS
from mmhad.structures import MultiTaskDataSample


def to_chw(array: np.ndarray) -> torch.Tensor:
    """(H, W, C) or (H, W) array -> float32 tensor (C, H, W) or (H, W)."""
    if array.ndim == 3:
        array = array.transpose(2, 0, 1)
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))


@TRANSFORMS.register_module()
class PackMultiTaskInputs(BaseTransform):
    """Pack ``img`` into ``inputs`` (3, H, W) and the annotations into a
    :class:`MultiTaskDataSample` (``gt_<task>`` as (H, W) or (C, H, W)); the
    metainfo also holds each loaded annotation's file, ``<task>_path``, so
    errors can name it.

    Args:
        meta_keys (tuple[str]): Keys copied into the sample's metainfo.
    """

    def __init__(self,
                 meta_keys=('img_path', 'sample_idx', 'img_shape',
                            'ori_shape', 'flip', 'scale')) -> None:
        self.meta_keys = meta_keys

    def transform(self, results: dict) -> dict:
        keys = list(self.meta_keys) + [
            f'{task}_path' for task in results.get('tasks', [])
        ]
        sample = MultiTaskDataSample(
            metainfo={k: results[k]
                      for k in keys if k in results})
        for key in results.get('gt_fields', []):
            sample.set_field(to_chw(results[key]), key)
        return dict(inputs=to_chw(results['img']), data_samples=sample)
