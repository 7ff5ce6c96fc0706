"""Taskonomy as the official release ships it.

    data_root/
      rgb/<building>/point_<p>_view_<v>_domain_rgb.png
      <task>/<building>/point_<p>_view_<v>_domain_<task>.png   one folder per task

(or ``<building>/<task>/...``, as per-building downloads unpack).

512 x 512 views; buildings are split into train / val / test
(``taskonomy_splits.json``: the tiny split's 25 / 5 / 5 buildings; any list
with ``buildings``). Decoding (:class:`LoadTaskonomy`), by the task's
folder name:

* ``segment_semantic``: 0 = uncertain (ignored, -1), 1 = background,
  2..17 the 16 object classes: stored value - 1, so 17 classes 0..16;
* ``depth_zbuffer``: 16 bit in 1/512 m, 65535 (and anything from 64500)
  invalid: metres, 0 = invalid (:class:`DepthTask`);
* ``normal``: 8 bit centred on 127: ``(x / 255 - 0.5) * 2``;
* ``principal_curvature``: its first two 8-bit channels, as stored;
* ``reshading``: 8 bit, the mean of its channels, as stored;
* every other task (``depth_euclidean``, ``edge_texture``,
  ``edge_occlusion``, ``keypoints2d``, ``keypoints3d``, ...): the stored
  values, one channel, normalised by its :class:`DenseRegressionTask`.
"""
import json
import os
import os.path as osp
import re
from typing import List, Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.dataset import BaseDataset

from mmhad.registry import DATASETS, TRANSFORMS
from .transforms.loading import read_png, read_rgb

TASKONOMY_SPLITS = json.load(open(osp.join(osp.dirname(__file__),
                                           'taskonomy_splits.json')))
SEGMENT_CLASSES = ('background', 'bottle', 'chair', 'couch', 'potted plant',
                   'bed', 'dining table', 'toilet', 'tv', 'microwave',
                   'oven', 'toaster', 'sink', 'refrigerator', 'book',
                   'clock', 'vase')
#: Stored depth from which a pixel is invalid (65535 marks no depth).
DEPTH_INVALID_FROM = 64500
_VIEW = re.compile(r'(point_\d+_view_\d+)_domain_rgb\.png$')


def decode_taskonomy(task: str, stored: np.ndarray) -> np.ndarray:
    """One task's stored PNG values -> its ground truth (module doc)."""
    if task == 'segment_semantic':
        labels = stored[..., 0] if stored.ndim == 3 else stored
        return labels.astype(np.float32) - 1  # 0 (uncertain) -> -1
    if task == 'depth_zbuffer':
        depth = stored.astype(np.float32) / 512
        depth[stored >= DEPTH_INVALID_FROM] = 0
        return depth[..., None]
    if task == 'normal':
        return (stored[..., :3].astype(np.float32) / 255 - 0.5) * 2
    if task == 'principal_curvature':
        return stored[..., :2].astype(np.float32)
    if stored.ndim == 3:  # reshading and other 3-channel grey maps
        stored = stored[..., :3].mean(axis=2)
    return stored.astype(np.float32)[..., None]


@DATASETS.register_module()
class TaskonomyDataset(BaseDataset):
    """The views of a set of Taskonomy buildings (see module doc).

    Args:
        data_root (str): The release's root (one folder per task).
        split (str): ``'train'``, ``'val'`` or ``'test'`` of ``size``.
        tasks (Sequence[str]): Task folder names.
        size (str): Split size in ``taskonomy_splits.json`` (``'tiny'``).
        buildings (Sequence[str], optional): These buildings instead.
        **kwargs: See :class:`mmengine.dataset.BaseDataset`.
    """

    METAINFO = dict(classes=SEGMENT_CLASSES)

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 tasks: Sequence[str] = ('segment_semantic', 'depth_zbuffer',
                                         'normal'),
                 size: str = 'tiny',
                 buildings: Optional[Sequence[str]] = None,
                 **kwargs) -> None:
        if buildings is None:
            if size not in TASKONOMY_SPLITS or \
                    split not in TASKONOMY_SPLITS[size]:
                raise KeyError(f'no Taskonomy split {size!r}/{split!r}; '
                               f'known: {sorted(TASKONOMY_SPLITS)} with '
                               "'train', 'val', 'test'")
            buildings = TASKONOMY_SPLITS[size][split]
        self.buildings = list(buildings)
        self.split = split
        self.tasks = list(tasks)
        super().__init__(data_root=data_root, **kwargs)

    def _folder(self, task: str, building: str) -> str:
        """``<task>/<building>`` (the release's task archives), or
        ``<building>/<task>`` (per-building downloads) when only that
        exists."""
        by_task = osp.join(self.data_root, task, building)
        by_building = osp.join(self.data_root, building, task)
        if not osp.isdir(by_task) and osp.isdir(by_building):
            return by_building
        return by_task

    def load_data_list(self) -> List[dict]:
        data_list = []
        for building in self.buildings:
            folder = self._folder('rgb', building)
            if not osp.isdir(folder):
                raise FileNotFoundError(
                    f'{folder} does not exist: building {building!r} of the '
                    f'{self.split} split has no rgb/ views (data_root='
                    f'{self.data_root!r}; expected <task>/<building>/ or '
                    '<building>/<task>/ with '
                    'point_<p>_view_<v>_domain_<task>.png)')
            views = sorted(m.group(1) for m in map(_VIEW.match,
                                                   os.listdir(folder)) if m)
            for view in views:
                info = dict(
                    img_path=osp.join(folder, f'{view}_domain_rgb.png'),
                    sample_idx=len(data_list),
                    tasks=list(self.tasks))
                for task in self.tasks:
                    path = osp.join(self._folder(task, building),
                                    f'{view}_domain_{task}.png')
                    if not osp.isfile(path):
                        raise FileNotFoundError(
                            f'{path} is missing (task {task!r} of view '
                            f'{view} in building {building!r})')
                    info[f'{task}_path'] = path
                data_list.append(info)
        if not data_list:
            raise FileNotFoundError(f'no rgb views in buildings '
                                    f'{self.buildings} of {self.data_root}')
        return data_list


@TRANSFORMS.register_module()
class LoadTaskonomy(BaseTransform):
    """Decode a view's image and the sample's ``tasks``
    (:func:`decode_taskonomy`); adds ``img``, ``gt_<task>``, ``gt_fields``."""

    def transform(self, results: dict) -> dict:
        img = read_rgb(results['img_path'])
        results['img'] = img
        results['gt_fields'] = []
        for task in results.get('tasks', []):
            path = results[f'{task}_path']
            gt = decode_taskonomy(task, read_png(path))
            if gt.shape[:2] != img.shape[:2]:
                raise ValueError(f'{path}: size {gt.shape[:2]} does not '
                                 f'match its view, {img.shape[:2]}')
            results[f'gt_{task}'] = gt
            results['gt_fields'].append(f'gt_{task}')
        results['img_shape'] = results['ori_shape'] = img.shape[:2]
        return results
