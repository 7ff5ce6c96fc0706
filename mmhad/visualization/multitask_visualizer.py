"""Pictures of multi-task predictions a person can read.

:class:`MultiTaskVisualizer` draws a sample as a table (see
:mod:`.figure_grid`): a row per task, titled with its name; columns
"input", "ground truth", "prediction" and "error"; beside each row a class
legend with the dataset's class names or a colour bar with its unit.

How a task's maps are drawn depends only on its kind's declared
``OUTPUT_FORM`` (:class:`TaskView`), never on its name:

* ``'classes'``: class ids in a palette, legend of the classes shown;
  error: the wrongly classified pixels; caption: pixel accuracy.
* ``'binary'``: the probability as a heat map in [0, 1]; error:
  |p - ground truth|; caption: accuracy at p >= 0.5.
* ``'regression'``: any number of channels C, channel 0 (C = 1) or the
  channel mean with a colour bar in the task's unit (ground truth and
  prediction share its range); error: |prediction - ground truth| averaged
  over channels; caption: the mean error.
* ``'unit_vectors'``: up to three components as RGB = (n + 1) / 2; error:
  the angle in degrees; caption: the mean angle.

Pixels without ground truth are grey (:data:`INVALID_GREY`) in every cell
of their row.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import matplotlib
import numpy as np
import torch
from mmengine.visualization import Visualizer

from mmhad.registry import VISUALIZERS
from mmhad.tasks import build_tasks
from .figure_grid import (Cell, ColourBarKey, LegendKey, Row, TextKey,
                          draw_grid, figure_to_array)

#: Colour of pixels without ground truth.
INVALID_GREY = (128, 128, 128)
#: Output forms a task kind declares (``DenseTask.OUTPUT_FORM``).
OUTPUT_FORMS = ('classes', 'binary', 'regression', 'unit_vectors')
#: Units of task kinds that declare none (``UNIT`` attribute), by kind:
#: the kind's documented meaning, not the task's name. A dataset that
#: stores something else under such a kind (e.g. disparity) says so with
#: ``dataset_meta['units']`` or the visualizer's ``units``.
KIND_UNITS = {'DepthTask': 'm'}
#: Colour maps: maps, probabilities, errors.
REGRESSION_CMAP = 'viridis'
BINARY_CMAP = 'magma'
ERROR_CMAP = 'Reds'
#: Colours of the class error map.
WRONG_RED = (203, 24, 29)
RIGHT_WHITE = (255, 255, 255)

# qualitative colours that are easy to tell apart (matplotlib's tab20,
# strong ones first), without its two greys: grey means "no ground truth"
_TAB20 = [tuple(int(round(255 * c)) for c in rgb)
          for rgb in matplotlib.colormaps['tab20'].colors]
_DISTINCT = [c for c in _TAB20[0::2] + _TAB20[1::2]
             if len(set(c)) > 1]


def class_palette(num_classes: int, seed: int = 0) -> np.ndarray:
    """A fixed colour per class id, (C, 3) uint8: 18 distinct colours
    (tab20 without grey), then random ones away from grey."""
    colours = list(_DISTINCT[:num_classes])
    rng = np.random.default_rng(seed)
    while len(colours) < num_classes:
        colour = rng.integers(20, 256, 3)
        if np.ptp(colour) > 60:  # not a grey
            colours.append(tuple(int(c) for c in colour))
    return np.asarray(colours, dtype=np.uint8).reshape(-1, 3)


def output_form(task) -> str:
    """The kind's declared ``OUTPUT_FORM``; an unknown form is drawn as
    ``'regression'`` (its first channel(s) on a colour scale), so a new
    kind is still drawn rather than breaking training."""
    form = getattr(task, 'OUTPUT_FORM', None)
    return form if form in OUTPUT_FORMS else 'regression'


def task_unit(task, units: Optional[Dict[str, str]] = None) -> str:
    """A task's unit for colour bars: ``units[task.name]``, else the kind's
    ``UNIT`` attribute, else :data:`KIND_UNITS`, else ``''``."""
    if units and task.name in units:
        return units[task.name] or ''
    unit = getattr(task, 'UNIT', None)
    if unit is not None:
        return unit
    for kind in type(task).__mro__:
        if kind.__name__ in KIND_UNITS:
            return KIND_UNITS[kind.__name__]
    return ''


def task_class_names(task, class_names: Optional[Sequence[str]] = None,
                     meta: Optional[dict] = None) -> List[str]:
    """Names of a ``'classes'`` task's ids: ``class_names`` if given, else
    the dataset's ``meta['classes']`` when it lists as many classes as the
    task has, else ``'class i'``."""
    count = getattr(task, 'num_classes', None)
    for names in (class_names, (meta or {}).get('classes')):
        if names is not None and (count is None or len(names) == count):
            return [str(n) for n in names]
    return [f'class {i}' for i in range(count or 0)]


def _with_unit(text: str, unit: str) -> str:
    return f'{text} ({unit})' if unit else text


def _as_numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().float().cpu().numpy()
    return np.asarray(value, dtype=np.float32)


class TaskView:
    """One task's ground truth and any number of its predictions, drawn
    alike: one colouring, one value range, one key.

    Args:
        task (DenseTask): The task (its ``OUTPUT_FORM`` decides the look).
        gt (Tensor, optional): Ground truth as stored in a data sample:
            (H, W) for class ids and binary maps, else (C, H, W).
        preds (list[Tensor | None]): Predictions: (H, W) class ids (or
            (C, H, W) class scores), else (C, H, W) values.
        class_names (list[str], optional): Names of the class ids.
        unit (str): Unit of a ``'regression'`` task's values.
        palette (ndarray, optional): (num_classes, 3) uint8 class colours.
    """

    def __init__(self, task, gt=None, preds: Sequence = (),
                 class_names: Optional[Sequence[str]] = None,
                 unit: str = '',
                 palette: Optional[np.ndarray] = None) -> None:
        self.task = task
        self.form = output_form(task)
        self.unit = unit
        self.valid = None
        if gt is not None:
            gt_t = torch.as_tensor(gt).detach().cpu()
            valid = task.valid_mask(gt_t[None])[0].numpy().astype(bool)
            while valid.ndim > 2:  # a (1, H, W) map stored with a channel
                valid = valid.all(0)
            self.valid = valid
            normalize = getattr(task, 'normalize', None)
            if self.form == 'regression' and callable(normalize):
                # stored ground truth -> the space the predictions live in
                # (a kind that learns normalised values says how)
                gt_t = normalize(gt_t[None].float())[0]
            self.gt = self._map(gt_t)
        else:
            self.gt = None
        self.preds = [None if p is None else self._map(p) for p in preds]
        shown = [m for m in [self.gt] + self.preds if m is not None]
        self.channels = shown[0].shape[0] if shown and \
            self.form != 'classes' else 1
        num = getattr(task, 'num_classes', None)
        if num is None:
            num = max([int(m.max(initial=0)) + 1 for m in shown] + [1]) \
                if self.form == 'classes' else 0
        self.num_classes = num
        self.palette = palette if palette is not None and \
            len(palette) >= num else class_palette(num)
        self.class_names = list(class_names or [])
        self.class_names += [f'class {i}' for i in
                             range(len(self.class_names), num)]
        self.value_range = self._value_range()
        # no error where there is no ground truth of the same size
        self.errors = [
            None if p is None or self.gt is None or
            p.shape[-2:] != self.gt.shape[-2:] else self._error(p)
            for p in self.preds
        ]
        found = [e[self.valid] for e in self.errors
                 if e is not None and self.form != 'classes']
        found = np.concatenate(found) if found else np.zeros(0)
        found = found[np.isfinite(found)]
        high = float(np.percentile(found, 99)) if found.size else 0.
        self.error_max = high if high > 0 else (
            90. if self.form == 'unit_vectors' else 1.)
        self.error_clipped = bool(found.size and found.max() > high)

    # ------------------------------------------------------------ values
    def _map(self, value) -> np.ndarray:
        """(H, W) int ids for classes, else (C, H, W) float."""
        array = _as_numpy(value)
        if self.form == 'classes':
            if array.ndim == 3:  # scores, not yet decoded
                array = array.argmax(0) if array.shape[0] > 1 else array[0]
            return np.round(np.nan_to_num(array, nan=-1)).astype(np.int64)
        return array[None] if array.ndim == 2 else array

    def _scalar(self, array: np.ndarray) -> np.ndarray:
        """(H, W) shown of a (C, H, W) map: channel 0, or the mean of
        several channels (C free values have no single colouring)."""
        return array[0] if array.shape[0] == 1 else array.mean(0)

    def _value_range(self) -> Tuple[float, float]:
        if self.form == 'binary':
            return 0., 1.
        if self.form != 'regression':
            return -1., 1.
        # ground truth and predictions share the ground truth's range, so
        # the same colour is the same value in every cell of the row
        if self.gt is not None:
            values = self._scalar(self.gt)[self.valid]
        else:
            values = np.concatenate([self._scalar(p).ravel()
                                     for p in self.preds if p is not None]
                                    or [np.zeros(0)])
        values = values[np.isfinite(values)]
        if not values.size:
            return 0., 1.
        low, high = float(values.min()), float(values.max())
        return (low, high) if high > low else (low, low + 1.)

    def _error(self, pred: np.ndarray) -> np.ndarray:
        """(H, W) error of a prediction: bool wrong for classes, else the
        absolute error (angle in degrees for unit vectors)."""
        gt = self.gt
        if self.form == 'classes':
            return pred != gt
        if self.form == 'unit_vectors':
            channels = min(len(pred), len(gt))
            p, g = pred[:channels], gt[:channels]
            p = p / np.maximum(np.linalg.norm(p, axis=0), 1e-12)
            g = g / np.maximum(np.linalg.norm(g, axis=0), 1e-12)
            return np.degrees(np.arccos(np.clip((p * g).sum(0), -1, 1)))
        if self.form == 'binary':
            return np.abs(pred[0] - gt[0])
        return np.abs(pred - gt).mean(0)

    # ---------------------------------------------------------- pictures
    def _grey_out(self, picture: np.ndarray,
                  extra: Optional[np.ndarray] = None) -> np.ndarray:
        invalid = np.zeros(picture.shape[:2], bool)
        if self.valid is not None and self.valid.shape == invalid.shape:
            invalid = ~self.valid
        if extra is not None:
            invalid |= extra
        picture[invalid] = INVALID_GREY
        return picture

    def picture(self, value: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8 of a ground truth or prediction map."""
        if self.form == 'classes':
            outside = (value < 0) | (value >= self.num_classes)
            picture = self.palette[value.clip(0, max(self.num_classes - 1,
                                                     0))].copy()
            return self._grey_out(picture, outside)
        if self.form == 'unit_vectors':
            rgb = np.zeros((3, ) + value.shape[1:], np.float32)
            count = min(3, len(value))
            rgb[:count] = value[:count]
            picture = np.round((np.clip(np.nan_to_num(rgb), -1, 1) + 1) / 2 *
                               255).astype(np.uint8).transpose(1, 2, 0)
            return self._grey_out(np.ascontiguousarray(picture))
        scalar = self._scalar(value)
        low, high = self.value_range
        cmap = BINARY_CMAP if self.form == 'binary' else REGRESSION_CMAP
        scaled = np.clip((scalar - low) / (high - low), 0, 1)
        picture = (matplotlib.colormaps[cmap](np.nan_to_num(scaled))[..., :3]
                   * 255).astype(np.uint8)
        return self._grey_out(picture, ~np.isfinite(scalar))

    def error_picture(self, error: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8 of an error map from :attr:`errors`."""
        if self.form == 'classes':
            picture = np.where(error[..., None], WRONG_RED,
                               RIGHT_WHITE).astype(np.uint8)
            return self._grey_out(picture)
        scaled = np.clip(np.nan_to_num(error) / self.error_max, 0, 1)
        picture = (matplotlib.colormaps[ERROR_CMAP](scaled)[..., :3] *
                   255).astype(np.uint8)
        return self._grey_out(picture)

    def caption(self, index: int) -> str:
        """The metric of prediction ``index`` over the valid pixels, e.g.
        ``'pixel accuracy 87.1 %'``; ``''`` without ground truth."""
        error = self.errors[index]
        if error is None or not self.valid.any():
            return ''
        if self.form == 'classes':
            wrong = float(error[self.valid].mean())
            return f'pixel accuracy {100 * (1 - wrong):.1f} %'
        if self.form == 'binary':
            pred = self.preds[index][0][self.valid] >= 0.5
            gt = self.gt[0][self.valid] >= 0.5
            return f'accuracy {100 * float((pred == gt).mean()):.1f} % ' \
                '(p ≥ 0.5)'
        mean = float(np.nanmean(error[self.valid]))
        if self.form == 'unit_vectors':
            return f'mean angle error {mean:.1f}°'
        return f'mean |error| {mean:.3g}' + (f' {self.unit}'
                                             if self.unit else '')

    # -------------------------------------------------------------- keys
    def _has_invalid(self) -> bool:
        return self.valid is not None and not self.valid.all()

    @property
    def sublabel(self) -> str:
        """A line under the row's title where the picture needs one."""
        if self.form == 'regression' and self.channels > 1:
            return f'mean of {self.channels} channels'
        if self.form == 'unit_vectors' and self.channels != 3:
            return f'{self.channels}-d directions'
        return ''

    def key(self):
        """The legend or colour bar of the maps (:mod:`.figure_grid`)."""
        if self.form == 'classes':
            seen = set()
            for value in [self.gt] + self.preds:
                if value is not None:
                    shown = value if self.valid is None else \
                        value[self.valid]
                    seen.update(np.unique(shown).tolist())
            ids = [i for i in sorted(seen) if 0 <= i < self.num_classes]
            entries = [(self.palette[i], self.class_names[i]) for i in ids]
            if self._has_invalid():
                entries.append((INVALID_GREY, 'no ground truth'))
            return LegendKey(entries, title='classes')
        if self.form == 'unit_vectors':
            lines = [('colour = (n + 1) / 2', 'black'),
                     ('red: x', (0.75, 0, 0)), ('green: y', (0, 0.5, 0))]
            if self.channels >= 3:
                lines.append(('blue: z', (0, 0, 0.8)))
            if self._has_invalid():
                lines.append(('grey: no ground truth', '0.4'))
            return TextKey(lines)
        low, high = self.value_range
        if self.form == 'binary':
            label, extend = 'probability', 'neither'
        else:
            label = _with_unit(self.task.name, self.unit)
            extend = self._beyond_range()
        return ColourBarKey(BINARY_CMAP if self.form == 'binary' else
                            REGRESSION_CMAP, low, high, label, extend=extend,
                            invalid=self._has_invalid(),
                            invalid_colour=INVALID_GREY)

    def _beyond_range(self) -> str:
        """Colour bar ``extend``: whether predictions shown leave the
        ground truth's range (their colours are then clipped)."""
        low, high = self.value_range
        below = above = False
        for pred in self.preds:
            if pred is None:
                continue
            shown = self._scalar(pred)
            if self.valid is not None and self.valid.shape == shown.shape:
                shown = shown[self.valid]
            shown = shown[np.isfinite(shown)]
            below |= bool(shown.size and shown.min() < low)
            above |= bool(shown.size and shown.max() > high)
        return {(False, False): 'neither', (True, False): 'min',
                (False, True): 'max', (True, True): 'both'}[(below, above)]

    def error_key(self):
        """The legend or colour bar of the error maps."""
        if self.form == 'classes':
            entries = [(RIGHT_WHITE, 'right class'),
                       (WRONG_RED, 'wrong class')]
            if self._has_invalid():
                entries.append((INVALID_GREY, 'no ground truth'))
            return LegendKey(entries, title='error')
        if self.form == 'unit_vectors':
            label = 'angle error (°)'
        elif self.form == 'binary':
            label = '|p − ground truth|'
        else:
            label = _with_unit('|error|', self.unit)
        return ColourBarKey(ERROR_CMAP, 0., self.error_max, label,
                            extend='max' if self.error_clipped else
                            'neither', invalid=self._has_invalid(),
                            invalid_colour=INVALID_GREY)


def dataset_palette(task, meta: Optional[dict]) -> Optional[np.ndarray]:
    """The dataset's palette (``meta['palette']``) for a task with as many
    classes as it lists; ``None`` (:func:`class_palette`) otherwise."""
    palette = (meta or {}).get('palette')
    if palette is None or len(palette) != getattr(task, 'num_classes', -1):
        return None
    return np.asarray(palette, dtype=np.uint8)


def make_view(task, gt=None, preds: Sequence = (),
              meta: Optional[dict] = None,
              class_names: Optional[Sequence[str]] = None,
              units: Optional[Dict[str, str]] = None) -> TaskView:
    """A :class:`TaskView` labelled from the dataset meta.

    Args:
        task (DenseTask): The task.
        gt (Tensor, optional): Its ground truth.
        preds (list[Tensor | None]): Its predictions.
        meta (dict, optional): Dataset meta: ``classes`` (names of a
            classes task's ids, used where their number fits),
            ``palette``, ``units`` (task name -> unit).
        class_names (list[str], optional): Names of the task's ids; win
            over ``meta['classes']``.
        units (dict, optional): Task name -> unit; wins over
            ``meta['units']``.
    """
    meta = meta or {}
    names = task_class_names(task, class_names, meta) \
        if output_form(task) == 'classes' else None
    unit = task_unit(task, {**(meta.get('units') or {}), **(units or {})})
    return TaskView(task, gt, preds, names, unit,
                    dataset_palette(task, meta))


def render_task(task, value: torch.Tensor, value_range=None,
                palette: Optional[np.ndarray] = None) -> np.ndarray:
    """A task's map alone as an (H, W, 3) uint8 picture, drawn by its
    kind's ``OUTPUT_FORM`` (see :class:`TaskView`).

    Args:
        task (DenseTask): The task kind.
        value (Tensor): (H, W) class ids or (C, H, W) values.
        value_range (tuple, optional): (low, high) of a ``'regression'``
            colour map; defaults to the map's own range.
        palette (ndarray, optional): (C, 3) class colours.
    """
    view = TaskView(task, None, [value], palette=palette)
    if value_range is not None and view.form == 'regression':
        view.value_range = tuple(value_range)
    return view.picture(view.preds[0])


def to_uint8_image(image) -> np.ndarray:
    """(H, W, 3) uint8 from uint8 or float in [0, 1] (array or tensor)."""
    if isinstance(image, torch.Tensor):
        image = image.detach().cpu().numpy()
    image = np.asarray(image)
    if image.dtype == np.uint8:
        return image
    return (np.clip(image, 0, 1) * 255).astype(np.uint8)


def draw_panel(image: np.ndarray, views: Dict[str, TaskView],
               title: str = ''):
    """The table of one sample: a row per task with its input, ground
    truth, prediction (with its metric) and error, and keys.

    Args:
        image (ndarray): (H, W, 3) uint8 RGB input.
        views (dict[str, TaskView]): Task name -> view holding the
            ground truth (or ``None``) and one prediction (or ``None``).
        title (str): Figure title.

    Returns:
        Figure: The matplotlib figure (Agg canvas).
    """
    with_gt = any(v.gt is not None for v in views.values())
    with_pred = any(v.preds[0] is not None for v in views.values())
    with_error = any(v.errors[0] is not None for v in views.values())
    headers = ['input']
    if with_gt:
        headers.append('ground truth')
    if with_pred:
        headers.append('prediction')
    headers.append(None)  # the key of ground truth and prediction
    if with_error:
        headers += ['error', None]
    key_columns = [i for i, h in enumerate(headers) if h is None]
    rows = []
    for name, view in views.items():
        items = [Cell(image)]
        if with_gt:
            items.append(Cell(view.picture(view.gt)) if view.gt is not None
                         else Cell(note='no ground truth'))
        if with_pred:
            pred = view.preds[0]
            items.append(Cell(view.picture(pred), caption=view.caption(0))
                         if pred is not None else Cell(note='no prediction'))
        items.append(view.key())
        if with_error:
            error = view.errors[0]
            items += [Cell(view.error_picture(error)), view.error_key()] \
                if error is not None else [Cell(note='no error map'), None]
        rows.append(Row(name, items, view.sublabel))
    if not rows:
        rows = [Row('', [Cell(image), None])]
        headers, key_columns = ['input', None], [1]
    return draw_grid(headers, rows, title, key_columns)


@VISUALIZERS.register_module()
class MultiTaskVisualizer(Visualizer):
    """mmengine ``Visualizer`` for multi-task data samples.

    :meth:`add_datasample` draws the input and, for every task of the
    sample, ground truth, prediction and their error side by side as one
    labelled figure (:func:`draw_panel`: a row per task, a class legend
    with the dataset's class names or a colour bar with the unit beside
    each row, pixels without ground truth grey), and sends it to the vis
    backends or writes ``out_file``.

    Args:
        name (str): Instance name.
        tasks (dict): Task name -> task kind config, as the model's (an
            entry may carry ``class_names``, popped before building), or a
            built task (e.g. ``model.tasks``).
        class_names (dict, optional): Task name -> names of its class ids;
            otherwise ``dataset_meta['classes']`` where it fits the task's
            number of classes, else ``'class i'``.
        units (dict, optional): Task name -> unit of its values on colour
            bars (e.g. ``dict(depth='m')``); otherwise
            ``dataset_meta['units']``, the kind's ``UNIT`` or
            :data:`KIND_UNITS`.
        **kwargs: See :class:`mmengine.visualization.Visualizer`.
    """

    def __init__(self, name: str = 'visualizer', tasks: Dict = None,
                 class_names: Optional[Dict[str, Sequence[str]]] = None,
                 units: Optional[Dict[str, str]] = None, **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.class_names = dict(class_names or {})
        self.units = dict(units or {})
        declared = {}
        for task_name, cfg in (tasks or {}).items():
            if isinstance(cfg, dict) and 'class_names' in cfg:
                cfg = dict(cfg)
                self.class_names.setdefault(task_name,
                                            cfg.pop('class_names'))
            declared[task_name] = cfg
        # task configs, or a model's task objects as they are
        self.tasks = build_tasks(declared)
        self.last_figure = None

    def task_view(self, task, gt=None, preds: Sequence = ()) -> TaskView:
        """A :class:`TaskView` with this visualizer's class names and
        units and the dataset's palette (:func:`make_view`)."""
        return make_view(task, gt, preds, self.dataset_meta,
                         self.class_names.get(task.name), self.units)

    def figure(self, image: np.ndarray, data_sample, title: str = ''):
        """The matplotlib figure of one sample (see :func:`draw_panel`).

        Args:
            image (ndarray): (H, W, 3) uint8 RGB or float in [0, 1].
            data_sample (MultiTaskDataSample): ``gt_<task>`` and / or
                ``pred_<task>`` fields; tasks with neither get no row.
            title (str): Figure title.
        """
        views = {}
        for name, task in self.tasks.items():
            gt = data_sample.get(task.gt_key)
            pred = data_sample.get(task.pred_key)
            if gt is None and pred is None:
                continue
            views[name] = self.task_view(task, gt, [pred])
        return draw_panel(to_uint8_image(image), views, title)

    def panel(self, image: np.ndarray, data_sample,
              title: str = '') -> np.ndarray:
        """The picture of one sample, (H', W', 3) uint8 RGB of the whole
        figure (:meth:`figure`); the figure is kept in
        :attr:`last_figure`."""
        self.last_figure = self.figure(image, data_sample, title)
        return figure_to_array(self.last_figure)

    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample=None,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       show: bool = False,
                       wait_time: float = 0,
                       out_file: Optional[str] = None,
                       step: int = 0,
                       title: Optional[str] = None) -> np.ndarray:
        """Draw one sample (see :meth:`panel`) and send it to the backends
        or write it to ``out_file``.

        Args:
            name (str): Tag of the picture (and title of the figure unless
                ``title`` is given).
            image (ndarray): (H, W, 3) uint8 RGB or float in [0, 1].
            data_sample (MultiTaskDataSample, optional): What to draw.
            draw_gt (bool): Draw the ground truth (and errors).
            draw_pred (bool): Draw the predictions (and errors).
            show (bool): Show the picture in a window.
            wait_time (float): Seconds to show it.
            out_file (str, optional): PNG to write instead of sending the
                picture to the vis backends.
            step (int): Global step of the backends.
            title (str, optional): Title of the figure; ``name`` if
                ``None``.

        Returns:
            ndarray: (H', W', 3) uint8 RGB picture of the whole figure.
        """
        image = to_uint8_image(image)
        sample = data_sample.clone() if data_sample is not None else None
        if sample is not None:
            for task in self.tasks.values():
                for key, keep in ((task.gt_key, draw_gt),
                                  (task.pred_key, draw_pred)):
                    if not keep and key in sample:
                        delattr(sample, key)
        picture = image if sample is None else self.panel(
            image, sample, name if title is None else title)
        if show:
            self.show(picture, win_name=name, wait_time=wait_time)
        if out_file is not None:
            import os
            import os.path as osp

            from PIL import Image
            os.makedirs(osp.dirname(osp.abspath(out_file)), exist_ok=True)
            # PIL's PNGs: about a third of the size of cv2's (mmcv.imwrite)
            Image.fromarray(picture).save(out_file)
        else:
            self.add_image(name, picture, step)
        return picture
