"""One picture per image: the input, then ground truth and prediction of
every task side by side."""
from typing import Dict, Optional, Sequence

import matplotlib
import numpy as np
import torch
from mmengine.visualization import Visualizer

from mmhad.registry import DENSE_TASKS, VISUALIZERS

#: Colour of pixels without ground truth.
INVALID_GREY = (128, 128, 128)


def class_palette(num_classes: int, seed: int = 0) -> np.ndarray:
    """A fixed colour per class id, (C, 3) uint8."""
    rng = np.random.default_rng(seed)
    return rng.integers(40, 256, (num_classes, 3)).astype(np.uint8)


def render_task(task, value: torch.Tensor, value_range=None,
                palette: Optional[np.ndarray] = None) -> np.ndarray:
    """A task's map as an (H, W, 3) uint8 picture, by kind: class ids with a
    palette, one-channel probabilities (binary maps) as a heat map in
    [0, 1], other one-channel maps (depth) with a colour map over
    ``value_range``, three channels (normals) as (n + 1) / 2, more channels
    by their first one.

    Args:
        task (DenseTask): The task kind.
        value (Tensor): (H, W) class ids or (C, H, W) values.
        value_range (tuple, optional): (low, high) of the colour map;
            defaults to the map's own range.
        palette (ndarray, optional): (C, 3) class colours.
    """
    value = value.detach().float().cpu()
    if value.dim() == 2:  # class ids
        ids = value.long().numpy()
        colours = palette if palette is not None else class_palette(
            getattr(task, 'num_classes', int(ids.max(initial=0)) + 1))
        picture = colours[ids.clip(0, len(colours) - 1)]
        picture[(ids < 0) | (ids >= len(colours))] = INVALID_GREY
        return picture
    if value.shape[0] == 3:
        return ((value.clamp(-1, 1).permute(1, 2, 0).numpy() + 1) / 2 *
                255).astype(np.uint8)
    channel = value[0].numpy()
    if task.FAMILY == 'classification':  # a probability map
        low, high = 0., 1.
    else:
        low, high = value_range or (float(channel.min()),
                                    float(channel.max()))
    scaled = (channel - low) / max(high - low, 1e-12)
    colours = matplotlib.colormaps['magma' if task.FAMILY ==
                                   'classification' else 'viridis']
    return (colours(scaled.clip(0, 1))[..., :3] * 255).astype(np.uint8)


def render_row(task, gt: Optional[torch.Tensor], values: Sequence,
               size, palette: Optional[np.ndarray] = None) -> np.ndarray:
    """A task's ground truth beside any number of its predictions, as one
    (H, W * (1 + len(values)), 3) uint8 picture.

    One-channel regression maps share the colour scale of the ground
    truth's valid values; pixels without ground truth are grey in every
    cell; a missing map (``None``) is a white cell.
    """
    blank = np.full((*size, 3), 255, np.uint8)
    valid = None
    value_range = None
    if gt is not None:
        valid = task.valid_mask(gt[None])[0].cpu().numpy()
        if gt.dim() == 3 and gt.shape[0] == 1 and \
                task.FAMILY == 'regression' and valid.any():
            shown = gt[0].cpu().numpy()[valid]
            value_range = (float(shown.min()), float(shown.max()))
    cells = []
    for value in [gt] + list(values):
        if value is None:
            cells.append(blank)
            continue
        cell = render_task(task, value, value_range, palette)
        if valid is not None:
            cell[~valid] = INVALID_GREY
        cells.append(cell)
    return np.concatenate(cells, axis=1)


def to_uint8_image(image: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 from uint8 or float in [0, 1]."""
    if image.dtype == np.uint8:
        return image
    return (np.clip(image, 0, 1) * 255).astype(np.uint8)


@VISUALIZERS.register_module()
class MultiTaskVisualizer(Visualizer):
    """mmengine ``Visualizer`` for multi-task data samples.

    :meth:`add_datasample` draws the input and, for every task of the
    sample, ground truth and prediction side by side (a shared colour scale
    for the two; pixels without ground truth grey in both; class colours
    from ``dataset_meta['palette']`` where it fits the task), and sends the
    picture to the vis backends (TensorBoard with
    ``vis_backends=[dict(type='TensorboardVisBackend')]``).

    Args:
        tasks (dict): Task name -> task-kind config, as the model's.
        **kwargs: See :class:`mmengine.visualization.Visualizer`.
    """

    def __init__(self, name: str = 'visualizer', tasks: Dict = None,
                 **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.tasks = {
            task_name: DENSE_TASKS.build(cfg, default_args=dict(
                name=task_name))
            for task_name, cfg in (tasks or {}).items()
        }

    def _palette(self, task) -> Optional[np.ndarray]:
        """The dataset's palette (``dataset_meta['palette']``) for the task
        whose classes it lists; ``None`` (a fixed palette) otherwise."""
        meta = self.dataset_meta or {}
        palette = meta.get('palette')
        if palette is None or len(palette) != getattr(task, 'num_classes',
                                                      -1):
            return None
        return np.asarray(palette, dtype=np.uint8)

    def panel(self, image: np.ndarray, data_sample) -> np.ndarray:
        """The picture of one sample: rows of [input] and [gt | pred]."""
        height, width = image.shape[:2]
        rows = [np.concatenate(
            [image, np.full_like(image, 255)], axis=1)]
        for name, task in self.tasks.items():
            gt = data_sample.get(task.gt_key)
            pred = data_sample.get(task.pred_key)
            if gt is None and pred is None:
                continue
            rows.append(render_row(task, gt, [pred], (height, width),
                                   self._palette(task)))
        return np.concatenate(rows, axis=0)

    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample=None,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       show: bool = False,
                       wait_time: float = 0,
                       out_file: Optional[str] = None,
                       step: int = 0) -> np.ndarray:
        """Draw one sample (see :meth:`panel`); ``image`` is (H, W, 3)
        uint8 RGB or float in [0, 1]."""
        image = to_uint8_image(image)
        sample = data_sample.clone() if data_sample is not None else None
        if sample is not None:
            for task in self.tasks.values():
                for key, keep in ((task.gt_key, draw_gt),
                                  (task.pred_key, draw_pred)):
                    if not keep and key in sample:
                        delattr(sample, key)
        picture = self.panel(image, sample) if sample is not None else image
        if show:
            self.show(picture, win_name=name, wait_time=wait_time)
        if out_file is not None:
            import mmcv
            mmcv.imwrite(picture[..., ::-1], out_file)
        else:
            self.add_image(name, picture, step)
        return picture
