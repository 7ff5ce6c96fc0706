"""Cityscapes in the common pre-processed multi-task release.

    data_root/
      train/ image/0.npy  label_7/0.npy  label_19/0.npy  depth/0.npy
      val/   image/...    label_7/...    label_19/...    depth/...

2975 train / 500 val at 128x256 (also released at 256x512); image HxWx3
float in [0, 1]; labels HxW float, -1 = ignore; depth HxWx1 is *disparity*
(inverse depth, 0 = invalid, about 0..0.49), scored as stored. Some copies
have a single ``label/`` folder with the 7 classes.
"""
import os.path as osp
from typing import Dict, Optional, Sequence

from mmhad.registry import DATASETS
from .multitask_npy_dataset import MultiTaskNpyDataset

#: The 7 categories of the multi-task release (Cityscapes' groups).
CITYSCAPES_7_CLASSES = ('flat', 'construction', 'object', 'nature', 'sky',
                        'human', 'vehicle')
#: Cityscapes' 19 training classes.
CITYSCAPES_19_CLASSES = ('road', 'sidewalk', 'building', 'wall', 'fence',
                         'pole', 'traffic light', 'traffic sign',
                         'vegetation', 'terrain', 'sky', 'person', 'rider',
                         'car', 'truck', 'bus', 'train', 'motorcycle',
                         'bicycle')
_CLASSES = {7: CITYSCAPES_7_CLASSES, 19: CITYSCAPES_19_CLASSES}


@DATASETS.register_module()
class CityscapesDataset(MultiTaskNpyDataset):
    """Cityscapes (7 or 19 classes + disparity) in the multi-task layout.

    Args:
        data_root (str): Dataset root (holding ``train/``, ``val/``).
        num_classes (int): 7 (the paper and the reference protocol) or 19:
            reads ``label_7/`` or ``label_19/``; with 7, a single ``label/``
            folder is used when ``label_7/`` is absent.
        tasks (dict, optional): The declaration: task name -> task-kind
            config.
        task_names (Sequence[str], optional): The tasks loaded: by default
            the declared ones, else semantic and depth. Their annotations
            must be present.
        task_folders (dict, optional): Task name -> folder, overriding the
            choice above.
        **kwargs: See :class:`MultiTaskNpyDataset`.
    """

    DEFAULT_TASK_NAMES = ('semantic', 'depth')

    def __init__(self,
                 data_root: str,
                 num_classes: int = 7,
                 tasks: Optional[Dict[str, dict]] = None,
                 task_folders: Optional[Dict[str, str]] = None,
                 split: str = 'train',
                 task_names: Optional[Sequence[str]] = None,
                 **kwargs) -> None:
        if num_classes not in _CLASSES:
            raise ValueError(f'Cityscapes has 7 or 19 classes in the '
                             f'multi-task release, got num_classes='
                             f'{num_classes}')
        label = f'label_{num_classes}'
        if num_classes == 7 and not osp.isdir(
                osp.join(data_root, split, label)) and osp.isdir(
                    osp.join(data_root, split, 'label')):
            label = 'label'
        folders = dict(semantic=label)
        folders.update(task_folders or {})
        kwargs.setdefault('metainfo', dict(classes=_CLASSES[num_classes]))
        super().__init__(
            data_root=data_root,
            split=split,
            tasks=tasks,
            task_names=task_names,
            task_folders=folders,
            **kwargs)
