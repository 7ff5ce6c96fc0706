"""PASCAL-Context for multi-task learning, as the ``PASCAL_MT`` release
ships it (the files the multi-task literature's loaders read).

    data_root/
      JPEGImages/<id>.jpg
      ImageSets/Context/{train,val}.txt           one id per line
      semseg/VOC12/<id>.png or semseg/pascal-context/<id>.png
      human_parts/<id>.mat                        PASCAL-Part annotations
      pascal-context/trainval/<id>.mat            'LabelMap' (459 classes)
      normals_distill/<id>.png
      sal_distill/<id>.png

Decoded per task (:class:`LoadPascalContext`):

* ``semantic``: the PNG's values, 21 classes, 255 = ignore;
* ``human_parts``: the parts of every person object (class 15) painted
  into 7 classes (0 background, 1 head, 2 torso, 3 upper arm, 4 lower arm
  and hand, 5 upper leg, 6 lower leg and foot); an image without people
  (or without a parts file) is all 0, which :class:`HumanPartsTask`
  ignores entirely;
* ``edge``: pixels where the 4-neighbour Laplacian of ``LabelMap`` is not
  0, thinned to one pixel (``skimage.morphology.thin``), as {0, 1};
* ``normal``: ``2 x / 255 - 1``, kept only on the context classes that
  NYUv2 also labels (``PASCAL_NORMAL_CLASSES``), 0 elsewhere;
* ``sal``: ``x / 255 > 0.5`` as {0, 1}.

4998 train / 5105 val images of up to 500x500, padded to 512x512 by the
configs' pipeline (:class:`PadTo`).
"""
import json
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.dataset import BaseDataset

from mmhad.registry import DATASETS, TRANSFORMS
from mmhad.tasks import declare_tasks
from .data_check import FileCheckMixin
from .transforms.loading import read_png, read_rgb

PASCAL_TASKS = ('semantic', 'human_parts', 'edge', 'normal', 'sal')
VOC_CLASSES = ('background', 'aeroplane', 'bicycle', 'bird', 'boat',
               'bottle', 'bus', 'car', 'cat', 'chair', 'cow', 'diningtable',
               'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep',
               'sofa', 'train', 'tvmonitor')
PERSON_CLASS = 15
#: PASCAL-Part part name -> human-part class.
PART_CLASSES = {
    **dict.fromkeys(('hair', 'head', 'lear', 'rear', 'lebrow', 'rebrow',
                     'leye', 'reye', 'mouth', 'nose'), 1),
    'torso': 2, 'neck': 2,
    'luarm': 3, 'ruarm': 3,
    **dict.fromkeys(('llarm', 'rlarm', 'lhand', 'rhand'), 4),
    'luleg': 5, 'ruleg': 5,
    **dict.fromkeys(('llleg', 'rlleg', 'lfoot', 'rfoot'), 6),
}
#: Context ids (``LabelMap`` values) whose normals the release's
#: ``normals_distill`` maps carry (the context classes NYUv2 also labels).
PASCAL_NORMAL_CLASSES = tuple(json.load(open(osp.join(
    osp.dirname(__file__), 'pascal_normal_classes.json'))))


def _read_mat(path: str) -> dict:
    from scipy.io import loadmat
    try:
        return loadmat(path)
    except (OSError, ValueError, TypeError) as err:
        raise ValueError(f'cannot read {path} as a MATLAB file: {err}') \
            from None


def human_parts_map(path: str, shape: Sequence[int]) -> np.ndarray:
    """7-class human-part map of one image from its PASCAL-Part file;
    all 0 when the file is missing or holds no person with parts."""
    parts = np.zeros(shape, np.float32)
    if not osp.isfile(path):
        return parts
    anno = _read_mat(path)['anno'][0, 0]
    for obj in anno['objects'][0]:
        if int(obj['class_ind'].flat[0]) != PERSON_CLASS or \
                obj['parts'].size == 0:
            continue
        for part in obj['parts'][0]:
            name = str(part['part_name'].flat[0])
            if name in PART_CLASSES:
                parts[part['mask'].astype(bool)] = PART_CLASSES[name]
    return parts


def context_boundaries(label_map: np.ndarray) -> np.ndarray:
    """{0, 1} one-pixel boundaries of a label map: where its 4-neighbour
    Laplacian (borders reflected) is not 0, thinned."""
    from skimage.morphology import thin
    padded = np.pad(label_map.astype(np.float64), 1, mode='reflect')
    laplacian = (padded[:-2, 1:-1] + padded[2:, 1:-1] + padded[1:-1, :-2] +
                 padded[1:-1, 2:] - 4 * padded[1:-1, 1:-1])
    return thin(laplacian != 0).astype(np.float32)


@DATASETS.register_module()
class PascalContextDataset(FileCheckMixin, BaseDataset):
    """A split of PASCAL-Context's multi-task release (see module doc).

    Args:
        data_root (str): The ``PASCAL_MT`` folder.
        split (str): ``'train'`` or ``'val'`` (``ImageSets/Context/``).
        tasks (dict, optional): The declaration, of any of
            :data:`PASCAL_TASKS`: task name -> task-kind config (kept in
            ``metainfo['tasks']``).
        task_names (Sequence[str], optional): The tasks loaded, by name: by
            default the declared ones, else all five.
        **kwargs: See :class:`mmengine.dataset.BaseDataset`.
    """

    METAINFO = dict(classes=VOC_CLASSES)

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 tasks: Optional[Dict[str, dict]] = None,
                 task_names: Optional[Sequence[str]] = None,
                 **kwargs) -> None:
        self.task_names, kwargs = declare_tasks(tasks, task_names,
                                                PASCAL_TASKS, kwargs,
                                                type(self).__name__)
        unknown = [t for t in self.task_names if t not in PASCAL_TASKS]
        if unknown:
            raise KeyError(f'PASCAL-Context has no tasks {unknown}; it has '
                           f'{list(PASCAL_TASKS)}')
        self.split = split
        super().__init__(data_root=data_root, **kwargs)

    def _need(self, path: str, what: str) -> str:
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'{path} ({what}) does not exist (data_root='
                f'{self.data_root!r}: expected the PASCAL_MT release layout)')
        return path

    def load_data_list(self) -> List[dict]:
        root = self.data_root
        ids_file = self._need(
            osp.join(root, 'ImageSets', 'Context', f'{self.split}.txt'),
            f'the {self.split} image ids')
        with open(ids_file) as f:
            ids = [line.strip() for line in f if line.strip()]
        if not ids:
            raise FileNotFoundError(f'{ids_file} lists no image')
        data_list = []
        for i, name in enumerate(ids):
            voc = osp.join(root, 'semseg', 'VOC12', f'{name}.png')
            info = dict(
                img_path=self._need(
                    osp.join(root, 'JPEGImages', f'{name}.jpg'), 'image'),
                sample_idx=i,
                tasks=list(self.task_names),
                semantic_path=voc if osp.isfile(voc) else osp.join(
                    root, 'semseg', 'pascal-context', f'{name}.png'),
                human_parts_path=osp.join(root, 'human_parts',
                                          f'{name}.mat'),
                label_map_path=osp.join(root, 'pascal-context', 'trainval',
                                        f'{name}.mat'),
                # edges are derived from the label map
                edge_path=osp.join(root, 'pascal-context', 'trainval',
                                   f'{name}.mat'),
                normal_path=osp.join(root, 'normals_distill', f'{name}.png'),
                sal_path=osp.join(root, 'sal_distill', f'{name}.png'))
            for task in self.task_names:
                if task == 'human_parts':
                    continue  # a missing file: no people
                self._need(info[f'{task}_path'], f'task {task!r}')
            if 'normal' in self.task_names:
                self._need(info['label_map_path'], 'the normals\' mask')
            data_list.append(info)
        return data_list


@TRANSFORMS.register_module()
class LoadPascalContext(BaseTransform):
    """Decode the image and the sample's ``tasks`` from the release's files
    (module doc); adds ``img`` (H, W, 3) in [0, 1], ``gt_<task>``
    ((H, W) maps, (H, W, 3) normals) and ``gt_fields``."""

    #: Reads the sample's files (inference, given an image, skips it).
    loads_files = True

    def transform(self, results: dict) -> dict:
        img = read_rgb(results['img_path'])
        shape = img.shape[:2]
        results['img'] = img
        results['gt_fields'] = []
        label_map = None
        tasks = results.get('tasks', [])
        if 'edge' in tasks or 'normal' in tasks:
            label_map = _read_mat(results['label_map_path'])['LabelMap']
        for task in tasks:
            if task == 'semantic':
                gt = read_png(results['semantic_path']).astype(np.float32)
            elif task == 'human_parts':
                gt = human_parts_map(results['human_parts_path'], shape)
            elif task == 'edge':
                gt = context_boundaries(label_map)
            elif task == 'normal':
                raw = read_png(results['normal_path'])[..., :3]
                gt = 2 * raw.astype(np.float32) / 255 - 1
                gt[~np.isin(label_map, PASCAL_NORMAL_CLASSES)] = 0
            else:  # sal
                gt = (read_png(results['sal_path']).astype(np.float32) /
                      255 > 0.5).astype(np.float32)
                if gt.ndim == 3:
                    gt = gt[..., 0]
            if gt.shape[:2] != shape:
                raise ValueError(
                    f'{task} annotation of size {gt.shape[:2]} does not '
                    f'match image {results["img_path"]} of size {shape}')
            results[f'gt_{task}'] = gt
            results['gt_fields'].append(f'gt_{task}')
        results['img_shape'] = results['ori_shape'] = shape
        return results
