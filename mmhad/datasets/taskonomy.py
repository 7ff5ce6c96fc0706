"""Taskonomy as the release and its download tool put it on disk.

One PNG per view and task, ``point_<p>_view_<v>_domain_<task>.png``, in
one of three layouts, found without configuration (the one that holds
most of the split's buildings; :data:`LAYOUTS`):

    data_root/<task>/<building>/             the release's task archives
    data_root/<task>/taskonomy/<building>/   the omnidata download tool
                                             (what Taskonomy's README uses)
    data_root/<building>/<task>/             per-building downloads

512 x 512 views; buildings are split into train / val / test
(``taskonomy_splits.json``: the tiny split's 25 / 5 / 5 buildings; any list
with ``buildings``). A split building that is not on disk (the download
tool skips ``woodbine``) is left out with a warning, or refused with
``missing_buildings='error'``. Decoding (:class:`LoadTaskonomy`), by the
task's folder name:

* ``segment_semantic``: 0 = uncertain (ignored, -1), 1 = background,
  2..17 the 16 object classes: stored value - 1, so 17 classes 0..16;
* ``depth_zbuffer``: 16 bit in 1/512 m, :data:`DEPTH_NO_VALUE` = no depth:
  metres, 0 = invalid (:class:`DepthTask`);
* ``normal``: 8 bit centred on 127: ``(x / 255 - 0.5) * 2``; 128 in every
  channel (:data:`NORMAL_NO_VALUE`) is no normal: the zero vector;
* ``principal_curvature``: its first two 8-bit channels, as stored;
* ``reshading``: 8 bit, the mean of its channels, as stored;
* every other task (``depth_euclidean``, ``edge_texture``,
  ``edge_occlusion``, ``keypoints2d``, ``keypoints3d``, ...): the stored
  values, one channel, normalised by its :class:`DenseRegressionTask`.

Pixels without geometry (where the scan's mesh has no surface) carry no
label for any task computed from the mesh (:data:`GEOMETRY_TASKS`), as the
public loaders treat them: taskgrouping masks depth, normals, reshading,
curvature and occlusion edges with the depth's validity; omnidata masks
with ``mask_valid`` or the normal's 128. Each view has one such mask, from
the first of :data:`GEOMETRY_SOURCES` that it has on disk (loaded for the
mask even when that task is not trained); the geometric tasks' ground
truth there is written as their kind reads "no label": depth 0, the zero
normal, NaN for :class:`DenseRegressionTask`. Tasks computed from the RGB
(``edge_texture``, ``keypoints2d``) and ``segment_semantic`` stay as
stored.
"""
import json
import os
import os.path as osp
import re
import warnings
from typing import Dict, List, Optional, Sequence, Set

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine.dataset import BaseDataset

from mmhad.registry import DATASETS, TRANSFORMS
from mmhad.tasks import declare_tasks
from .data_check import FileCheckMixin
from .transforms.loading import read_png, read_rgb

TASKONOMY_SPLITS = json.load(open(osp.join(osp.dirname(__file__),
                                           'taskonomy_splits.json')))
SEGMENT_CLASSES = ('background', 'bottle', 'chair', 'couch', 'potted plant',
                   'bed', 'dining table', 'toilet', 'tv', 'microwave',
                   'oven', 'toaster', 'sink', 'refrigerator', 'book',
                   'clock', 'vase')
#: Layout name -> where a task's files of a building lie, under data_root.
LAYOUTS = {
    'task_first': '<task>/<building>/',
    'omnidata': '<task>/taskonomy/<building>/',
    'building_first': '<building>/<task>/',
}
#: Stored 16-bit depth (``depth_zbuffer``, ``depth_euclidean``) of a pixel
#: without depth. The release documents depth "in units of 1/512 m with a
#: max range of 128 m": every smaller value is a depth it can hold (up to
#: 65534 / 512 = 127.996 m), so only this one, the largest, marks none; a
#: lower cut-off (taskgrouping's 2**13 = 16 m) would also drop real far
#: depths.
DEPTH_NO_VALUE = 65535
#: Stored normal, in every channel, of a pixel without geometry.
NORMAL_NO_VALUE = 128
#: Tasks computed from the mesh: no label where a view has no geometry.
GEOMETRY_TASKS = ('depth_zbuffer', 'depth_euclidean', 'normal', 'reshading',
                  'principal_curvature', 'edge_occlusion', 'keypoints3d')
#: The files a view's geometry mask is read from, the first one it has.
GEOMETRY_SOURCES = ('depth_zbuffer', 'depth_euclidean', 'normal')
#: Tasks stored as 16-bit PNGs.
SIXTEEN_BIT_TASKS = ('depth_zbuffer', 'depth_euclidean', 'edge_texture',
                     'edge_occlusion', 'keypoints2d', 'keypoints3d')
_VIEW = re.compile(r'(point_\d+_view_\d+)_domain_rgb\.png$')


def _check_stored(task: str, stored: np.ndarray) -> None:
    """Raise ``ValueError`` if a PNG's values are not stored as the release
    stores that task (decoding them would give wrong numbers silently)."""
    if task in SIXTEEN_BIT_TASKS and stored.dtype not in (np.uint16,
                                                          np.int32):
        raise ValueError(f'{task} is a 16-bit PNG in the release, this one '
                         f'holds {stored.dtype} values')
    channels = dict(normal=3, principal_curvature=2).get(task)
    if channels and (stored.ndim != 3 or stored.shape[2] < channels):
        raise ValueError(f'{task} needs {channels} channels, got shape '
                         f'{stored.shape}')


def decode_taskonomy(task: str, stored: np.ndarray) -> np.ndarray:
    """One task's stored PNG values -> its ground truth (module doc).

    Raises:
        ValueError: If the values are not stored as the release stores
            the task (bit depth, channels).
    """
    _check_stored(task, stored)
    if task == 'segment_semantic':
        labels = stored[..., 0] if stored.ndim == 3 else stored
        return labels.astype(np.float32) - 1  # 0 (uncertain) -> -1
    if task == 'depth_zbuffer':
        depth = stored.astype(np.float32) / 512
        depth[stored == DEPTH_NO_VALUE] = 0
        return depth[..., None]
    if task == 'normal':
        normal = (stored[..., :3].astype(np.float32) / 255 - 0.5) * 2
        normal[no_geometry_mask('normal', stored)] = 0
        return normal
    if task == 'principal_curvature':
        return stored[..., :2].astype(np.float32)
    if stored.ndim == 3:  # reshading and other 3-channel grey maps
        stored = stored[..., :3].mean(axis=2)
    return stored.astype(np.float32)[..., None]


def no_geometry_mask(source: str, stored: np.ndarray) -> np.ndarray:
    """Bool (H, W) of a view's pixels without geometry, from the stored
    values of one of :data:`GEOMETRY_SOURCES`."""
    _check_stored(source, stored)
    if source == 'normal':
        return (stored[..., :3] == NORMAL_NO_VALUE).all(axis=2)
    if stored.ndim == 3:
        stored = stored[..., 0]
    return stored == DEPTH_NO_VALUE


def without_geometry(task: str, gt: np.ndarray,
                     no_geometry: np.ndarray) -> np.ndarray:
    """A decoded ground truth (H, W, C) with the pixels of ``no_geometry``
    set to what its task kind reads as no label, for :data:`GEOMETRY_TASKS`
    (others are returned as they are): 0 for ``depth_zbuffer``
    (:class:`DepthTask`), the zero vector for ``normal``
    (:class:`NormalTask`), NaN for the rest (:class:`DenseRegressionTask`).
    """
    if task in GEOMETRY_TASKS:
        gt[no_geometry] = 0. if task in ('depth_zbuffer', 'normal') \
            else np.nan
    return gt


def _decode_file(task: str, path: str, stored: np.ndarray) -> np.ndarray:
    """:func:`decode_taskonomy` of the values read from ``path``, with
    errors that name it."""
    try:
        return decode_taskonomy(task, stored)
    except ValueError as err:
        raise ValueError(f'{path}: {err}') from None


@DATASETS.register_module()
class TaskonomyDataset(FileCheckMixin, BaseDataset):
    """The views of a set of Taskonomy buildings (see module doc).

    Args:
        data_root (str): The folder holding the release, in any of
            :data:`LAYOUTS`.
        split (str): ``'train'``, ``'val'`` or ``'test'`` of ``size``.
        tasks (dict, optional): The declaration: task folder name ->
            task-kind config (kept in ``metainfo['tasks']``).
        size (str): Split size in ``taskonomy_splits.json`` (``'tiny'``).
        buildings (Sequence[str], optional): These buildings instead.
        missing_buildings (str): What a building of the split that is not
            in ``data_root`` does: ``'warn'`` (name it and the views lost,
            use the others) or ``'error'``.
        task_names (Sequence[str], optional): The task folders loaded: by
            default the declared ones, else segment_semantic, depth_zbuffer
            and normal.
        **kwargs: See :class:`mmengine.dataset.BaseDataset`.

    Attributes:
        layout (str): The key of :data:`LAYOUTS` found in ``data_root``.
        missing_buildings (list[str]): The split's buildings left out.
    """

    METAINFO = dict(classes=SEGMENT_CLASSES)

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 tasks: Optional[Dict[str, dict]] = None,
                 size: str = 'tiny',
                 buildings: Optional[Sequence[str]] = None,
                 missing_buildings: str = 'warn',
                 task_names: Optional[Sequence[str]] = None,
                 **kwargs) -> None:
        if missing_buildings not in ('warn', 'error'):
            raise ValueError("missing_buildings must be 'warn' or 'error', "
                             f'got {missing_buildings!r}')
        if buildings is None:
            if size not in TASKONOMY_SPLITS or \
                    split not in TASKONOMY_SPLITS[size]:
                raise KeyError(f'no Taskonomy split {size!r}/{split!r}; '
                               f'known: {sorted(TASKONOMY_SPLITS)} with '
                               "'train', 'val', 'test'")
            buildings = TASKONOMY_SPLITS[size][split]
        self.buildings = list(buildings)
        self.split = split
        self.task_names, kwargs = declare_tasks(
            tasks, task_names, ('segment_semantic', 'depth_zbuffer', 'normal'),
            kwargs, type(self).__name__)
        self.on_missing = missing_buildings
        self.layout: Optional[str] = None
        self.missing_buildings: List[str] = []
        super().__init__(data_root=data_root, **kwargs)

    @property
    def layout_description(self) -> str:
        """The layout found, as a path pattern."""
        return f'{self.layout} ({LAYOUTS[self.layout]})'

    def _folder(self, task: str, building: str,
                layout: Optional[str] = None) -> str:
        """Where ``task``'s files of ``building`` lie in ``layout`` (the one
        found by default)."""
        pattern = LAYOUTS[layout or self.layout]
        return osp.join(self.data_root, pattern.replace(
            '<task>', task).replace('<building>', building).rstrip('/'))

    def _find_layout(self) -> str:
        """The layout holding the rgb views of most of the split's
        buildings (the first of :data:`LAYOUTS` on a tie)."""
        found = {
            layout: sum(osp.isdir(self._folder('rgb', b, layout))
                        for b in self.buildings)
            for layout in LAYOUTS
        }
        best = max(LAYOUTS, key=found.get)
        if not found[best]:
            shown = ', '.join(self.buildings[:5]) + (
                ', ...' if len(self.buildings) > 5 else '')
            raise FileNotFoundError(
                f'none of the {len(self.buildings)} buildings of the '
                f'{self.split} split ({shown}) has rgb views in '
                f'{self.data_root!r}; expected ' + ' or '.join(
                    LAYOUTS.values()) + ' with '
                'point_<p>_view_<v>_domain_<task>.png')
        return best

    def _listing(self, task: str, building: str,
                 required: bool = True) -> Set[str]:
        """The file names of one task of one building (one directory read
        instead of a stat per view)."""
        folder = self._folder(task, building)
        if not osp.isdir(folder):
            if not required:
                return set()
            raise FileNotFoundError(
                f'{folder} does not exist: task {task!r} of building '
                f'{building!r}, layout {self.layout_description}')
        return set(os.listdir(folder))

    def load_data_list(self) -> List[dict]:
        self.layout = self._find_layout()
        present = [b for b in self.buildings
                   if osp.isdir(self._folder('rgb', b))]
        self.missing_buildings = [b for b in self.buildings
                                  if b not in present]
        if self.missing_buildings and self.on_missing == 'error':
            raise FileNotFoundError(self._missing_message(present, None))
        data_list: List[dict] = []
        without_source = 0
        for building in present:
            without_source += self._add_views(building, data_list)
        if not data_list:
            raise FileNotFoundError(f'no rgb views in buildings {present} '
                                    f'of {self.data_root}')
        if self.missing_buildings:
            warnings.warn(self._missing_message(present, len(data_list)))
        if without_source:
            warnings.warn(
                f'{without_source} views of the Taskonomy {self.split} '
                'split have none of ' + ', '.join(GEOMETRY_SOURCES) +
                ': their pixels without geometry cannot be found and count '
                'as valid for ' + ', '.join(
                    t for t in self.task_names if t in GEOMETRY_TASKS))
        return data_list

    def _add_views(self, building: str, data_list: List[dict]) -> int:
        """Append the views of one building; return how many have no
        geometry source although a geometric task is loaded."""
        folder = self._folder('rgb', building)
        views = sorted(m.group(1) for m in map(_VIEW.match,
                                               os.listdir(folder)) if m)
        listings = {task: self._listing(task, building)
                    for task in self.task_names}
        sources: Dict[str, Set[str]] = {}
        if any(task in GEOMETRY_TASKS for task in self.task_names):
            sources = {
                s: listings[s] if s in listings else self._listing(
                    s, building, required=False)
                for s in GEOMETRY_SOURCES
            }
        without_source = 0
        for view in views:
            info = dict(
                img_path=osp.join(folder, f'{view}_domain_rgb.png'),
                sample_idx=len(data_list),
                building=building,
                tasks=list(self.task_names))
            for task in self.task_names:
                name = f'{view}_domain_{task}.png'
                path = osp.join(self._folder(task, building), name)
                if name not in listings[task]:
                    raise FileNotFoundError(
                        f'{path} is missing (task {task!r} of view '
                        f'{view} in building {building!r})')
                info[f'{task}_path'] = path
            if sources:
                source = next((s for s, names in sources.items()
                               if f'{view}_domain_{s}.png' in names), None)
                if source is None:
                    without_source += 1
                else:
                    info['geometry_source'] = source
                    info['geometry_path'] = osp.join(
                        self._folder(source, building),
                        f'{view}_domain_{source}.png')
            data_list.append(info)
        return without_source

    def _missing_message(self, present: List[str],
                         views: Optional[int]) -> str:
        missing = self.missing_buildings
        message = (
            f'{len(missing)} of the {len(self.buildings)} buildings of the '
            f'Taskonomy {self.split} split are not in {self.data_root!r}, '
            f'layout {self.layout_description}: {", ".join(missing)}')
        if 'woodbine' in missing:
            message += ' (the omnidata download tool skips woodbine)'
        if views is None:
            return message + ("; refused with missing_buildings='error' "
                              "('warn' uses the buildings found)")
        # the views of a building that is not there cannot be counted:
        # estimated at the mean of the buildings that are
        lost = round(views / len(present) * len(missing))
        return message + (
            f'; the split loses their views, about {lost} (at the mean of '
            f'the {len(present)} buildings found), and uses the {views} '
            "views of those (missing_buildings='error' refuses an "
            'incomplete split)')

    @staticmethod
    def load_annotation(task: str, path: str) -> np.ndarray:
        """One file's ground truth as :class:`LoadTaskonomy` decodes it
        (without the view's geometry mask), with errors that name the file:
        for the pre-flight check (:mod:`mmhad.datasets.data_check`)."""
        return _decode_file(task, path, read_png(path))


@TRANSFORMS.register_module()
class LoadTaskonomy(BaseTransform):
    """Decode a view's image and the sample's ``tasks``
    (:func:`decode_taskonomy`), the geometric ones without label where the
    view has no geometry (:func:`without_geometry`, from ``geometry_path``
    when the dataset found one); adds ``img``, ``gt_<task>``,
    ``gt_fields``."""

    #: Reads the sample's files (inference, given an image, skips it).
    loads_files = True

    def transform(self, results: dict) -> dict:
        img = read_rgb(results['img_path'])
        results['img'] = img
        results['gt_fields'] = []
        tasks = results.get('tasks', [])
        stored = {task: read_png(results[f'{task}_path']) for task in tasks}
        no_geometry = None
        if any(task in GEOMETRY_TASKS for task in tasks):
            no_geometry = self._no_geometry(results, stored, img.shape[:2])
        for task in tasks:
            path = results[f'{task}_path']
            gt = _decode_file(task, path, stored[task])
            if gt.shape[:2] != img.shape[:2]:
                raise ValueError(f'{path}: size {gt.shape[:2]} does not '
                                 f'match its view, {img.shape[:2]}')
            if no_geometry is not None:
                gt = without_geometry(task, gt, no_geometry)
            results[f'gt_{task}'] = gt
            results['gt_fields'].append(f'gt_{task}')
        results['img_shape'] = results['ori_shape'] = img.shape[:2]
        return results

    @staticmethod
    def _no_geometry(results: dict, stored: dict,
                     size: tuple) -> Optional[np.ndarray]:
        """The view's pixels without geometry; ``None`` without a source."""
        source = results.get('geometry_source')
        if source is None:
            return None
        path = results['geometry_path']
        # a source loaded as a task is not read twice
        values = stored[source] if source in stored else read_png(path)
        try:
            mask = no_geometry_mask(source, values)
        except ValueError as err:
            raise ValueError(f'{path}: {err}') from None
        if mask.shape != tuple(size):
            raise ValueError(f'{path}: size {mask.shape} does not match '
                             f'its view, {tuple(size)}')
        return mask
