"""Check a dataset's files before training, so that a bad file stops the run
before its first iteration rather than hours later, when its batch comes up.

Two passes over the files a run will read (each phase's images and its own
task's labels, the validation images and all its labels):

* headers, always: every ``.npy`` header is read (no data), which finds
  unreadable and truncated files, wrong shapes and dtypes, annotations
  whose size differs from their image, and samples whose size differs from
  the rest of the split;
* values, optionally: every file is loaded as the training pipeline loads
  it, and each annotation is checked by its task kind
  (:meth:`DenseTask.check_gt`: NaN/inf, labels outside the classes,
  negative depth, ...), so every error names the file.
"""
import os
from collections import Counter
from typing import Dict, Iterable, List, Sequence, Tuple

import numpy as np
from mmengine.utils import ProgressBar

from .transforms.formatting import to_chw
from .transforms.loading import load_image, load_npy

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


def check_samples(split: str, samples: Sequence[Tuple[dict, Sequence[str]]],
                  tasks: Dict, values: bool, logger=None) -> None:
    """Check the files of one split; raise one error listing every problem.

    Args:
        split (str): Name used in messages, e.g. ``'train phase 2'``.
        samples (Sequence[tuple[dict, Sequence[str]]]): Data infos (with
            ``img_path`` and ``<task>_path``) and the task names whose
            annotations will be read for each.
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
            shape, dtype = read_npy_header(image)
            if len(shape) != 3 or shape[2] != 3:
                raise ValueError(f'expected an H x W x 3 image, got shape '
                                 f'{shape}')
            if dtype != np.uint8 and dtype.kind != 'f':
                raise ValueError(f'expected a float or uint8 image, got '
                                 f'{dtype}')
            uint8_images += dtype == np.uint8
            sizes[image] = tuple(shape[:2])
            if values:
                load_image(image)
        except ValueError as err:
            problems.append(f'{image}: {_without_path(err, image)}')
        for name in names:
            path = info[f'{name}_path']
            try:
                shape, _ = read_npy_header(path)
                if image in sizes:
                    error = _annotation_shape_error(
                        shape, tasks[name].gt_channels, sizes[image])
                    if error:
                        raise ValueError(f'{name} annotation: {error}')
                if values:
                    gt = to_chw(load_npy(path))[None]
                    tasks[name].check_gt(gt)
            except ValueError as err:
                problems.append(f'{path}: {_without_path(err, path)}')
        if bar is not None:
            bar.update()
    if bar is not None:
        bar.file.write('\n')
    problems += _odd_sizes(sizes)
    if problems:
        listed = '\n  '.join(problems[:MAX_LISTED])
        more = len(problems) - MAX_LISTED
        raise ValueError(
            f'{len(problems)} bad file(s) in the {split} data, found before '
            f'training:\n  {listed}' + (f'\n  ... and {more} more'
                                        if more > 0 else ''))
    if logger is not None:
        checked = 'headers and values' if values else 'headers'
        note = (f'; {uint8_images} uint8 images (0..255) are divided by 255 '
                'when loaded' if uint8_images else '')
        logger.info(f'Data check, {split}: {len(samples)} samples, '
                    f'{checked} fine{note}')


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
    :func:`check_samples`; empty for datasets not in the ``.npy`` layout
    (their loaders name a bad file when they read it)."""
    samples = []
    for index in indices:
        info = dataset.get_data_info(int(index))
        if not str(info.get('img_path', '')).endswith('.npy'):
            return []  # only the .npy layout is checked file by file
        samples.append((info, [n for n in names if f'{n}_path' in info]))
    return samples

