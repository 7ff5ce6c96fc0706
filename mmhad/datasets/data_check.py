"""Check a dataset's files before training, so that a bad file stops the run
before its first iteration rather than hours later, when its batch comes up.

Two passes over the files a run will read (each phase's images and its own
task's labels, the validation images and all its labels):

* headers, always: every ``.npy`` header is read (no data), which finds
  unreadable and truncated files, wrong shapes and dtypes, annotations
  whose size differs from their image, and samples whose size differs from
  the rest of the split; image files (PNG, JPEG: Taskonomy) are opened for
  their size only, which finds unreadable files and the size mismatches;
* values, optionally: every file is loaded as the training pipeline loads
  it (an image file's annotations by the dataset's ``load_annotation``,
  which also finds truncated files and values stored in the wrong bit
  depth), and each annotation is checked by its task kind
  (:meth:`DenseTask.check_gt`: NaN/inf, labels outside the classes,
  negative depth, ...), so every error names the file.

Datasets whose annotations are neither ``.npy`` files nor decoded by a
``load_annotation(task, path)`` of theirs (PASCAL-Context's .mat files) are
checked sample by sample through their own loader
(:func:`check_by_loading`). Each dataset runs its check itself
(:meth:`FileCheckMixin.check_files`); the training loop only calls it.
"""
import os
from collections import Counter
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.utils import ProgressBar

from .transforms.formatting import to_chw
from .transforms.loading import load_image, load_npy, read_rgb

#: Errors listed in full before the rest are counted.
MAX_LISTED = 20
#: Splits with at least this many samples show a progress bar.
PROGRESS_MIN_SAMPLES = 100


def read_npy_header(path: str) -> Tuple[tuple, np.dtype]:
    """Shape and dtype of a ``.npy`` file, read from its header only.

    Raises:
        ValueError: If the file is not a ``.npy`` array, holds pickled
            objects, or is shorter than its header says (truncated).
    """
    try:
        with open(path, 'rb') as f:
            version = np.lib.format.read_magic(f)
            read_header = (np.lib.format.read_array_header_1_0
                           if version == (1, 0) else
                           np.lib.format.read_array_header_2_0)
            shape, _, dtype = read_header(f)
            offset = f.tell()
    except OSError as err:
        raise ValueError(f'cannot open: {err}') from None
    except ValueError as err:
        raise ValueError(f'not a .npy array: {err}') from None
    if dtype.hasobject:
        raise ValueError('holds Python objects (pickled), not numbers')
    expected = offset + int(np.prod(shape)) * dtype.itemsize
    size = os.path.getsize(path)
    if size < expected:
        raise ValueError(f'truncated: {size} bytes, its header needs '
                         f'{expected}')
    return shape, dtype


#: PIL modes of more than 8 bits per value -> the dtype they load as.
_WIDE_MODES = {'I;16': np.uint16, 'I;16L': np.uint16, 'I;16B': np.uint16,
               'I': np.int32, 'F': np.float32}


def read_image_header(path: str) -> Tuple[tuple, np.dtype]:
    """Shape ((H, W) or (H, W, C)) and dtype of an image file (PNG, JPEG),
    read from its header only.

    Raises:
        ValueError: If the file cannot be opened as an image.
    """
    from PIL import Image
    try:
        with Image.open(path) as image:
            width, height = image.size
            bands = len(image.getbands())
            dtype = np.dtype(_WIDE_MODES.get(image.mode, np.uint8))
    except (OSError, ValueError) as err:
        raise ValueError(f'cannot read as an image: {err}') from None
    return ((height, width) if bands == 1 else (height, width, bands)), dtype


def _annotation_shape_error(shape: tuple, channels, image_size) -> str:
    expected = 'H x W' if channels is None else f'H x W x {channels}'
    ok = (len(shape) == 2) if channels is None else (
        len(shape) == 3 and shape[2] == channels)
    if not ok:
        hint = ' (add the channel axis: array[..., None])' if (
            channels == 1 and len(shape) == 2) else ''
        return f'expected {expected}, got shape {shape}{hint}'
    if tuple(shape[:2]) != tuple(image_size):
        return (f'size {tuple(shape[:2])} does not match its image, '
                f'{tuple(image_size)}')
    return ''


def raise_problems(split: str, problems: Sequence[str]) -> None:
    """One ``ValueError`` listing every problem of a split (the first
    :data:`MAX_LISTED`, then a count); nothing when there is none."""
    if not problems:
        return
    listed = '\n  '.join(problems[:MAX_LISTED])
    more = len(problems) - MAX_LISTED
    raise ValueError(
        f'{len(problems)} bad file(s) in the {split} data, found before '
        f'training:\n  {listed}' + (f'\n  ... and {more} more'
                                    if more > 0 else ''))


def check_samples(split: str, samples: Sequence[Tuple[dict, Sequence[str]]],
                  tasks: Dict, values: bool, logger=None) -> None:
    """Check the files of one split; raise one error listing every problem.

    Args:
        split (str): Name used in messages, e.g. ``'train phase 2'``.
        samples (Sequence[tuple[dict, Sequence[str]]]): Data infos (with
            ``img_path``, ``<task>_path`` and, for annotations stored as
            image files, ``load_annotation``: see
            :func:`dataset_samples`) and the task names whose annotations
            will be read for each.
        tasks (dict): Task name -> :class:`DenseTask`.
        values (bool): Also load every file and check its values.
        logger: Where the summary line goes; with one, splits of
            :data:`PROGRESS_MIN_SAMPLES` or more show a progress bar.

    Raises:
        ValueError: Naming each bad file and what is wrong with it.
    """
    problems: List[str] = []
    sizes: Dict[str, tuple] = {}
    uint8_images = 0
    bar = ProgressBar(len(samples)) if (
        logger is not None
        and len(samples) >= PROGRESS_MIN_SAMPLES) else None
    for info, names in samples:
        image = info['img_path']
        try:
            sizes[image], uint8 = _image_header(image)
            uint8_images += uint8
            if values:
                (load_image if image.endswith('.npy') else read_rgb)(image)
        except ValueError as err:
            problems.append(f'{image}: {_without_path(err, image)}')
        for name in names:
            path = info[f'{name}_path']
            try:
                _check_annotation(path, name, tasks[name], sizes.get(image),
                                  values, info.get('load_annotation'))
            except ValueError as err:
                problems.append(f'{path}: {_without_path(err, path)}')
        if bar is not None:
            bar.update()
    if bar is not None:
        bar.file.write('\n')
    problems += _odd_sizes(sizes)
    raise_problems(split, problems)
    if logger is not None:
        checked = 'headers and values' if values else 'headers'
        note = (f'; {uint8_images} uint8 images (0..255) are divided by 255 '
                'when loaded' if uint8_images else '')
        logger.info(f'Data check, {split}: {len(samples)} samples, '
                    f'{checked} fine{note}')


def _image_header(path: str) -> Tuple[tuple, bool]:
    """(H, W) of a sample's image and whether it is a uint8 ``.npy`` array
    (divided by 255 when loaded); ``ValueError`` saying what is wrong."""
    if not path.endswith('.npy'):
        shape, _ = read_image_header(path)  # any mode: loaded as RGB
        return tuple(shape[:2]), False
    shape, dtype = read_npy_header(path)
    if len(shape) != 3 or shape[2] != 3:
        raise ValueError(f'expected an H x W x 3 image, got shape {shape}')
    if dtype != np.uint8 and dtype.kind != 'f':
        raise ValueError(f'expected a float or uint8 image, got {dtype}')
    return tuple(shape[:2]), dtype == np.uint8


def _check_annotation(path: str, name: str, task,
                      image_size: Optional[tuple], values: bool,
                      load_annotation: Optional[Callable] = None) -> None:
    """Raise ``ValueError`` saying what is wrong with one annotation file.

    A ``.npy`` file holds the ground truth itself: its header has the shape
    the task needs. An image file holds stored values that
    ``load_annotation(name, path)`` decodes: its header has only the size,
    the decoded shape is checked with the values (and not at all without
    ``load_annotation``).
    """
    if path.endswith('.npy'):
        shape, _ = read_npy_header(path)
        error = image_size and _annotation_shape_error(
            shape, task.gt_channels, image_size)
        if error:
            raise ValueError(f'{name} annotation: {error}')
        if values:
            task.check_gt(to_chw(load_npy(path))[None])
        return
    shape, _ = read_image_header(path)
    if image_size and tuple(shape[:2]) != tuple(image_size):
        raise ValueError(f'{name} annotation: size {tuple(shape[:2])} does '
                         f'not match its image, {tuple(image_size)}')
    if values and load_annotation is not None:
        gt = load_annotation(name, path)
        error = image_size and _annotation_shape_error(
            gt.shape, task.gt_channels, image_size)
        if error:
            raise ValueError(f'{name} annotation, decoded: {error}')
        task.check_gt(to_chw(gt)[None])


def _without_path(err: Exception, path: str) -> str:
    # The loaders name the file themselves; it is already at the line start.
    return str(err).replace(f'{path}: ', '')


def _odd_sizes(sizes: Dict[str, tuple]) -> List[str]:
    """One problem per image whose size differs from the split's usual."""
    if not sizes:
        return []
    usual, _ = Counter(sizes.values()).most_common(1)[0]
    return [
        f'{path}: size {size} differs from the {usual} of the other images '
        '(samples are batched together)' for path, size in sizes.items()
        if size != usual
    ]


def dataset_samples(dataset, indices: Iterable[int],
                    names: Sequence[str]) -> List[Tuple[dict, List[str]]]:
    """``(data info, task names)`` of ``dataset[indices]`` for
    :func:`check_samples`; the infos of a dataset with a
    ``load_annotation(task, path)`` (decoding its image-file annotations)
    carry it. Empty for datasets in neither form (checked by loading
    instead, :func:`check_by_loading`)."""
    load_annotation = getattr(dataset, 'load_annotation', None)
    samples = []
    for index in indices:
        info = dataset.get_data_info(int(index))
        if load_annotation is not None:
            info['load_annotation'] = load_annotation
        elif not str(info.get('img_path', '')).endswith('.npy'):
            return []
        samples.append((info, [n for n in names if f'{n}_path' in info]))
    return samples


def check_by_loading(dataset, split: str, indices: Iterable[int],
                     names: Sequence[str], tasks: Dict, values: bool,
                     logger=None) -> int:
    """Check the samples of a dataset whose files need the dataset's own
    loader (several files per annotation, ``.mat`` files: PASCAL-Context).

    Headers: no file a sample names (``img_path`` and every ``*_path`` of
    its data info) is empty (which files must exist is the dataset's own
    knowledge, checked when it lists its samples: PASCAL-Context's part
    files are optional). Values: each
    sample goes through the dataset's loading transform (the pipeline step
    that declares ``loads_files``), which decodes every file as training
    will, and each annotation through its task kind's ``check_gt``.

    Returns:
        int: The number of samples checked.

    Raises:
        ValueError: Naming each bad file (or sample) and what is wrong.
    """
    transforms = getattr(dataset.pipeline, 'transforms', [])
    loader = next((t for t in transforms if getattr(t, 'loads_files', False)),
                  None)
    problems: List[str] = []
    indices = list(indices)
    for index in indices:
        info = dataset.get_data_info(int(index))
        for key, path in info.items():
            if not (key == 'img_path' or key.endswith('_path')) or \
                    not isinstance(path, str):
                continue
            if os.path.isfile(path) and os.path.getsize(path) == 0:
                problems.append(f'{path}: empty file ({key})')
        if not values or loader is None or problems:
            continue
        try:
            results = loader.transform(dict(info, tasks=list(names)))
            for name in names:
                tasks[name].check_gt(to_chw(results[f'gt_{name}'])[None])
        except Exception as err:  # any decoding failure, reported by name
            problems.append(f'{info["img_path"]}: {type(err).__name__}: '
                            f'{err}')
    raise_problems(split, problems)
    if logger is not None:
        checked = ('files and decoded values' if values and loader else
                   'files')
        logger.info(f'Data check, {split}: {len(indices)} samples, '
                    f'{checked} fine')
    return len(indices)


class FileCheckMixin:
    """A dataset that checks its own files before training
    (``dataset.check_files``, which the lifelong loop and
    ``tools/dataset_converters/check_dataset.py`` call).

    Files in a one-file-per-annotation form (``.npy``, or image files a
    ``load_annotation(task, path)`` decodes) are checked file by file
    (:func:`check_samples`); other layouts sample by sample through the
    dataset's own loader (:func:`check_by_loading`). A dataset with a
    layout of its own overrides :meth:`check_files`.
    """

    def check_files(self, split: str, indices: Iterable[int],
                    names: Sequence[str], tasks: Dict, values: bool,
                    logger=None) -> int:
        """Check the files of the samples ``indices`` for the tasks
        ``names`` (task name -> :class:`DenseTask` in ``tasks``).

        Args:
            split (str): Name used in messages, e.g. ``'train phase 2'``.
            values (bool): Also load every file and check its values.

        Returns:
            int: The number of samples checked.

        Raises:
            ValueError: Naming each bad file and what is wrong with it.
        """
        indices = list(indices)
        samples = dataset_samples(self, indices, names)
        if samples:
            check_samples(split, samples, tasks, values, logger)
            return len(samples)
        return check_by_loading(self, split, indices, names, tasks, values,
                                logger)
