"""Datasets in the pre-processed multi-task ``.npy`` layout.

    data_root/
      train/ image/0.npy  label/0.npy  depth/0.npy  normal/0.npy  ...
      val/   image/...    label/...    depth/...    normal/...

image HxWx3 float in [0, 1]; label HxW float, -1 = ignore; depth HxWx1,
0 = invalid; normal HxWx3 in [-1, 1], 0 = invalid (NYUv2 and Cityscapes as
commonly released for multi-task learning; Cityscapes has no normals).
"""
import os
import os.path as osp
import re
from typing import Dict, List, Optional, Sequence

from mmengine.dataset import BaseDataset

from mmhad.registry import DATASETS
from mmhad.tasks import declare_tasks
from .data_check import FileCheckMixin

#: Task name -> folder of its annotations, in the common release.
DEFAULT_TASK_FOLDERS = dict(semantic='label', depth='depth', normal='normal')

NYUV2_13_CLASSES = ('bed', 'books', 'ceiling', 'chair', 'floor', 'furniture',
                    'objects', 'picture', 'sofa', 'table', 'tv', 'wall',
                    'window')


def _sort_key(stem: str) -> list:
    """Natural order: digit runs compare as numbers, so 2 < 10 and
    img_2 < img_10 (the reference split cuts the set in index order)."""
    return [int(part) if part.isdigit() else part
            for part in re.split(r'(\d+)', stem)]


@DATASETS.register_module()
class MultiTaskNpyDataset(FileCheckMixin, BaseDataset):
    """A split of a dataset in the multi-task ``.npy`` layout.

    Every sample lists the annotation files of every task in ``task_names``;
    which of them are actually loaded is decided per sample by the ``tasks``
    entry
    of its data info (the lifelong loop restricts it to the phase's task, so
    a phase never reads another task's labels).

    Args:
        data_root (str): Dataset root (holding ``train/``, ``val/``).
        split (str): Sub-folder, e.g. ``'train'`` or ``'val'``.
        tasks (dict, optional): The tasks, declared once: task name ->
            task-kind config (kept in ``metainfo['tasks']``, where the
            model, the evaluator and the visualiser read them).
        task_folders (dict, optional): Task name -> annotation folder;
            defaults to :data:`DEFAULT_TASK_FOLDERS`.
        image_folder (str): Folder of the images.
        task_names (Sequence[str], optional): The tasks loaded, by name: by
            default the declared ones, else :attr:`DEFAULT_TASK_NAMES`.
            Their annotations must be present.
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset`
            (``pipeline``, ``indices``, ``test_mode``, ``metainfo`` ...).
    """

    METAINFO = dict(classes=None)
    #: The tasks loaded when neither ``tasks`` nor ``task_names`` says.
    DEFAULT_TASK_NAMES = ('semantic', 'depth', 'normal')

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 tasks: Optional[Dict[str, dict]] = None,
                 task_folders: Optional[Dict[str, str]] = None,
                 image_folder: str = 'image',
                 task_names: Optional[Sequence[str]] = None,
                 **kwargs) -> None:
        self.split = split
        self.task_names, kwargs = declare_tasks(
            tasks, task_names, self.DEFAULT_TASK_NAMES, kwargs,
            type(self).__name__)
        folders = dict(DEFAULT_TASK_FOLDERS)
        folders.update(task_folders or {})
        unknown = [t for t in self.task_names if t not in folders]
        if unknown:
            raise KeyError(f'no annotation folder known for tasks {unknown}; '
                           f'set task_folders (known: {folders})')
        self.task_folders = {t: folders[t] for t in self.task_names}
        self.image_folder = image_folder
        super().__init__(data_root=data_root, **kwargs)

    @property
    def split_dir(self) -> str:
        return osp.join(self.data_root, self.split)

    def _list_stems(self, folder: str) -> List[str]:
        path = osp.join(self.split_dir, folder)
        if not osp.isdir(path):
            raise FileNotFoundError(
                f'{path} does not exist: expected the layout '
                f'<data_root>/{self.split}/{{{self.image_folder},'
                f'{",".join(self.task_folders.values())}}}/<index>.npy '
                f'(data_root={self.data_root!r})')
        return sorted((f[:-4] for f in os.listdir(path) if f.endswith('.npy')),
                      key=_sort_key)

    def load_data_list(self) -> List[dict]:
        stems = self._list_stems(self.image_folder)
        if not stems:
            raise FileNotFoundError(
                'no .npy images in '
                f'{osp.join(self.split_dir, self.image_folder)}')
        for task, folder in self.task_folders.items():
            task_stems = self._list_stems(folder)
            if task_stems != stems:
                missing = sorted(set(stems) - set(task_stems), key=_sort_key)
                extra = sorted(set(task_stems) - set(stems), key=_sort_key)
                raise FileNotFoundError(
                    f'{osp.join(self.split_dir, folder)} (task {task!r}) does '
                    f'not match {self.image_folder}/: missing {missing[:5]}'
                    f'{" ..." if len(missing) > 5 else ""}, extra '
                    f'{extra[:5]}{" ..." if len(extra) > 5 else ""}')
        data_list = []
        for i, stem in enumerate(stems):
            info = dict(
                img_path=osp.join(self.split_dir, self.image_folder,
                                  stem + '.npy'),
                sample_idx=i,
                tasks=list(self.task_names))
            for task, folder in self.task_folders.items():
                info[f'{task}_path'] = osp.join(self.split_dir, folder,
                                                stem + '.npy')
            data_list.append(info)
        return data_list


@DATASETS.register_module()
class NYUv2Dataset(MultiTaskNpyDataset):
    """NYUv2 (13 classes, 795 train / 654 val) in the multi-task layout."""

    METAINFO = dict(classes=NYUV2_13_CLASSES)
