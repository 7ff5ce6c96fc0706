"""Augmentations that keep depth and normals consistent with the image."""
import random
from typing import Sequence, Tuple

import cv2
import numpy as np
import torch.nn.functional as F
from mmcv.transforms import BaseTransform
from torch import Tensor

from mmhad.registry import TRANSFORMS


def _resize(array: np.ndarray, size_hw, interpolation) -> np.ndarray:
    out = cv2.resize(array, (size_hw[1], size_hw[0]),
                     interpolation=interpolation)
    # cv2 drops a trailing channel axis of size 1.
    return out.reshape(size_hw + array.shape[2:])


@TRANSFORMS.register_module()
class RandomScaleCrop(BaseTransform):
    """Zoom in by a random factor and crop back to the original size.

    The image is resized bilinearly, annotations with nearest neighbours.
    Zooming in by ``s`` makes the scene look ``s`` times closer, so depth
    fields are divided by ``s`` (invalid zeros stay zero).

    Args:
        scales (Sequence[float]): Zoom factors to draw from (>= 1).
        depth_keys (Sequence[str]): Fields holding metric depth.
    """

    #: Draws random numbers (a teacher cache refuses such pipelines).
    random = True

    def __init__(self,
                 scales: Sequence[float] = (1.0, 1.2, 1.5),
                 depth_keys: Sequence[str] = ('gt_depth', )) -> None:
        if not scales or min(scales) < 1:
            raise ValueError(f'scales must be >= 1, got {scales}')
        self.scales = tuple(scales)
        self.depth_keys = tuple(depth_keys)

    def transform(self, results: dict) -> dict:
        scale = random.choice(self.scales)
        height, width = results['img'].shape[:2]
        new_h, new_w = int(round(height * scale)), int(round(width * scale))
        top = random.randint(0, new_h - height)
        left = random.randint(0, new_w - width)

        def zoom(array, interpolation):
            resized = _resize(array, (new_h, new_w), interpolation)
            return resized[top:top + height, left:left + width]

        results['img'] = zoom(results['img'], cv2.INTER_LINEAR)
        for key in results.get('gt_fields', []):
            gt = zoom(results[key], cv2.INTER_NEAREST)
            if key in self.depth_keys:
                gt = gt / scale
            results[key] = np.ascontiguousarray(gt)
        results['scale'] = scale
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(scales={self.scales}, '
                f'depth_keys={self.depth_keys})')


@TRANSFORMS.register_module()
class RandomHorizontalFlip(BaseTransform):
    """Mirror the image and annotations left-right with probability ``prob``.

    Mirroring a scene reverses the horizontal (x) component of its surface
    normals, so it is negated in the normal fields.

    Args:
        prob (float): Flip probability.
        normal_keys (Sequence[str]): Fields holding normals (H, W, 3) whose
            channel 0 is the x component.
    """

    #: Draws random numbers (a teacher cache refuses such pipelines).
    random = True

    def __init__(self,
                 prob: float = 0.5,
                 normal_keys: Sequence[str] = ('gt_normal', )) -> None:
        if not 0 <= prob <= 1:
            raise ValueError(f'prob must be in [0, 1], got {prob}')
        self.prob = prob
        self.normal_keys = tuple(normal_keys)

    def transform(self, results: dict) -> dict:
        flip = random.random() < self.prob
        results['flip'] = flip
        if not flip:
            return results
        results['img'] = np.ascontiguousarray(results['img'][:, ::-1])
        for key in results.get('gt_fields', []):
            gt = np.ascontiguousarray(results[key][:, ::-1])
            if key in self.normal_keys:
                gt[..., 0] *= -1
            results[key] = gt
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(prob={self.prob}, '
                f'normal_keys={self.normal_keys})')


@TRANSFORMS.register_module()
class PadTo(BaseTransform):
    """Pad the image and every ``gt_<task>`` at the bottom and right to
    ``size`` (e.g. PASCAL-Context's images, at most 500 x 500, to 512 x 512).

    Args:
        size (tuple[int, int]): (H, W) after padding.
        img_value (float): Fill of the image.
        gt_values (dict): Task -> fill of its ground truth (255, the ignore
            index, by default; 0, no normal, for normals).
    """

    def __init__(self, size=(512, 512), img_value: float = 0.,
                 gt_values: dict = dict(normal=0.)) -> None:
        self.size = tuple(size)
        self.img_value = img_value
        self.gt_values = dict(gt_values)

    def _pad(self, array: np.ndarray, value: float, path: str) -> np.ndarray:
        height, width = array.shape[:2]
        if height > self.size[0] or width > self.size[1]:
            raise ValueError(f'{path}: size {(height, width)} is larger '
                             f'than PadTo size {self.size}')
        pad = [(0, self.size[0] - height), (0, self.size[1] - width)]
        pad += [(0, 0)] * (array.ndim - 2)
        return np.pad(array, pad, constant_values=value)

    def transform(self, results: dict) -> dict:
        path = results.get('img_path', '?')
        results['img'] = self._pad(results['img'], self.img_value, path)
        for key in results.get('gt_fields', []):
            task = key[len('gt_'):]
            results[key] = self._pad(results[key],
                                     self.gt_values.get(task, 255.), path)
        results['img_shape'] = self.size
        return results

    def invert_prediction(self, pred: Tensor, shape: Tuple[int, int]
                          ) -> Tensor:
        """A prediction (..., H, W) of the padded image, cropped back to
        the ``shape`` (H, W) the image had before."""
        return pred[..., :shape[0], :shape[1]]


@TRANSFORMS.register_module()
class ResizeTo(BaseTransform):
    """Resize the image (bilinearly) and every ``gt_<task>`` (nearest
    neighbour, so labels, sentinels and unit normals stay as stored) to
    ``size`` (H, W), e.g. Taskonomy's 512 x 512 views to 256 x 256."""

    def __init__(self, size=(256, 256)) -> None:
        self.size = tuple(size)

    def transform(self, results: dict) -> dict:
        results['img'] = _resize(results['img'], self.size, cv2.INTER_LINEAR)
        for key in results.get('gt_fields', []):
            results[key] = _resize(results[key], self.size,
                                   cv2.INTER_NEAREST)
        results['img_shape'] = self.size
        return results

    def invert_prediction(self, pred: Tensor, shape: Tuple[int, int]
                          ) -> Tensor:
        """A prediction of the resized image at the ``shape`` (H, W) the
        image had before: class ids (H, W) by nearest neighbour, maps
        (C, H, W) bilinearly."""
        ids = pred.dim() == 2
        resized = F.interpolate(
            pred[None, None].float() if ids else pred[None].float(),
            size=tuple(shape), mode='nearest' if ids else 'bilinear',
            align_corners=None if ids else False)
        return resized[0, 0].to(pred.dtype) if ids else resized[0]
