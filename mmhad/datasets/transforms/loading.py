from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform

from mmhad.registry import TRANSFORMS


def load_npy(path: str, expected_ndim: Optional[tuple] = None) -> np.ndarray:
    """Load one ``.npy`` array as float32, with errors that name the file."""
    return _as_float32(_read_npy(path, expected_ndim), path)


def _read_npy(path: str, expected_ndim: Optional[tuple]) -> np.ndarray:
    try:
        # memory-mapped: the page cache is the only copy until the cast
        array = np.load(path, mmap_mode='r', allow_pickle=False)
    except FileNotFoundError:
        raise FileNotFoundError(f'missing file {path}') from None
    except Exception as e:  # corrupt or truncated file, pickled object ...
        raise ValueError(f'cannot read {path} as a .npy array: {e}') from e
    if expected_ndim is not None and array.ndim not in expected_ndim:
        dims = ' or '.join(map(str, expected_ndim))
        raise ValueError(f'{path}: expected {dims}'
                         f' dimensions, got shape {array.shape}')
    return array


def _as_float32(array: np.ndarray, path: str) -> np.ndarray:
    # one writable copy out of the memory map
    array = np.array(array, dtype=np.float32)
    if not np.isfinite(array).all():
        bad = int((~np.isfinite(array)).sum())
        raise ValueError(f'{path}: {bad} NaN/inf values')
    return array


def read_png(path: str) -> np.ndarray:
    """The stored values of a PNG (8 or 16 bit, any channels)."""
    from PIL import Image
    try:
        with Image.open(path) as image:
            return np.asarray(image)
    except (OSError, ValueError) as err:
        raise ValueError(f'cannot read {path}: {err}') from None


def read_rgb(path: str) -> np.ndarray:
    """An 8-bit image file (JPEG, PNG) as (H, W, 3) float32 in [0, 1]."""
    from PIL import Image
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert('RGB'), dtype=np.float32) / 255
    except (OSError, ValueError) as err:
        raise ValueError(f'cannot read image {path}: {err}') from None


#: Largest distance outside [0, 1] tolerated in a float image (rounding).
IMAGE_RANGE_SLACK = 0.01


def load_image(path: str) -> np.ndarray:
    """Load an (H, W, 3) image as float32 in [0, 1].

    uint8 images (0..255) are divided by 255; float images must already lie
    in [0, 1] (the data preprocessor's mean and std assume it): a float
    image stored as 0..255 is refused, not silently trained on.
    """
    raw = _read_npy(path, expected_ndim=(3, ))
    if raw.shape[2] != 3:
        raise ValueError(f'{path}: expected H x W x 3, got {raw.shape}')
    img = _as_float32(raw, path)
    if raw.dtype == np.uint8:
        return img / 255
    low, high = float(img.min()), float(img.max())
    if low < -IMAGE_RANGE_SLACK or high > 1 + IMAGE_RANGE_SLACK:
        hint = (' (stored as 0..255? divide by 255 or save as uint8)'
                if high > 2 else '')
        raise ValueError(f'{path}: {raw.dtype} image values lie in '
                         f'[{low:g}, {high:g}], expected [0, 1]{hint}')
    return img


@TRANSFORMS.register_module()
class LoadMultiTaskNpy(BaseTransform):
    """Load the image and the annotations of the sample's ``tasks``.

    Adds ``img`` (H, W, 3) float32 in [0, 1] (see :func:`load_image`),
    ``gt_<task>`` (H, W) or (H, W, C) float32 for each task listed in
    ``results['tasks']``, ``gt_fields``, and ``img_shape`` / ``ori_shape``.
    """

    #: Reads the sample's files (inference, given an image, skips it).
    loads_files = True

    def transform(self, results: dict) -> dict:
        img = load_image(results['img_path'])
        results['img'] = img
        results['gt_fields'] = []
        for task in results.get('tasks', []):
            path = results[f'{task}_path']
            gt = load_npy(path, expected_ndim=(2, 3))
            if gt.shape[:2] != img.shape[:2]:
                raise ValueError(
                    f'{path}: {task} annotation of size {gt.shape[:2]} does '
                    f'not match image {results["img_path"]} of size '
                    f'{img.shape[:2]}')
            results[f'gt_{task}'] = gt
            results['gt_fields'].append(f'gt_{task}')
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results
