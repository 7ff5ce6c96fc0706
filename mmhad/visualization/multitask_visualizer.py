"""Pictures of multi-task predictions a person can read.

:class:`MultiTaskVisualizer` draws a sample as a table (see
:mod:`.figure_grid`): a row per task, titled with its name; columns
"input", "ground truth", "prediction" and "error"; beside each row a class
legend with the dataset's class names or a colour bar with its unit.

How a task's maps are drawn depends only on its kind's output form, never
on its name: :class:`TaskView` holds a task's maps and asks the form object
(``task.output_form``, :mod:`mmhad.tasks.output_forms`) how to decode,
colour, compare and key them (class ids in a palette with a legend,
probabilities as heat maps, values on a colour bar in the task's unit,
directions as RGB). Pixels without ground truth are grey
(:data:`INVALID_GREY`) in every cell of their row.
"""
from typing import Dict, List, Optional, Sequence

import matplotlib
import numpy as np
import torch
from mmengine.visualization import Visualizer

from mmhad.registry import VISUALIZERS
from mmhad.tasks import DenseTask, build_tasks
from .figure_grid import (Cell, ColourBarKey, LegendKey, Row, TextKey,
                          draw_grid, figure_to_array)

#: Colour of pixels without ground truth.
INVALID_GREY = (128, 128, 128)

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


def task_unit(task, units: Optional[Dict[str, str]] = None) -> str:
    """A task's unit for colour bars: ``units[task.name]``, else its
    kind's ``UNIT``."""
    if units and task.name in units:
        return units[task.name] or ''
    return task.UNIT


def task_class_names(task, class_names: Optional[Sequence[str]] = None,
                     meta: Optional[dict] = None) -> List[str]:
    """Names of a classes task's ids: ``class_names`` if given, else
    the dataset's ``meta['classes']`` when it lists as many classes as the
    task has, else ``'class i'``."""
    count = getattr(task, 'num_classes', None)
    for names in (class_names, (meta or {}).get('classes')):
        if names is not None and (count is None or len(names) == count):
            return [str(n) for n in names]
    return [f'class {i}' for i in range(count or 0)]


def _as_numpy(value) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        return value.detach().float().cpu().numpy()
    return np.asarray(value, dtype=np.float32)


class TaskView:
    """One task's ground truth and any number of its predictions, drawn
    alike: one colouring, one value range, one key.

    What is form-specific (decoding, colours, errors, captions, keys) is
    the task's output form's (``task.output_form``, see
    :class:`~mmhad.tasks.output_forms.OutputForm`), which is given this
    view; the view keeps the maps and the helpers every form draws with.

    Args:
        task (DenseTask): The task.
        gt (Tensor, optional): Ground truth as stored in a data sample:
            (H, W) for class ids and binary maps, else (C, H, W).
        preds (list[Tensor | None]): Predictions: (H, W) class ids (or
            (C, H, W) class scores), else (C, H, W) values.
        class_names (list[str], optional): Names of the class ids.
        unit (str): Unit of the task's values.
        palette (ndarray, optional): (num_classes, 3) uint8 class colours.
    """

    def __init__(self, task, gt=None, preds: Sequence = (),
                 class_names: Optional[Sequence[str]] = None,
                 unit: str = '',
                 palette: Optional[np.ndarray] = None) -> None:
        self.task = task
        self.form = task.output_form
        self.unit = unit
        self.valid = None
        if gt is not None:
            gt_t = torch.as_tensor(gt).detach().cpu()
            valid = task.valid_mask(gt_t[None])[0].numpy().astype(bool)
            while valid.ndim > 2:  # a (1, H, W) map stored with a channel
                valid = valid.all(0)
            self.valid = valid
            normalize = getattr(task, 'normalize', None)
            if callable(normalize):
                # stored ground truth -> the space the predictions live in
                # (a kind that learns normalised values says how)
                gt_t = normalize(gt_t[None].float())[0]
            self.gt = self._map(gt_t)
        else:
            self.gt = None
        self.preds = [None if p is None else self._map(p) for p in preds]
        shown = [m for m in [self.gt] + self.preds if m is not None]
        # class ids are (H, W), values (C, H, W)
        self.channels = shown[0].shape[0] if shown and shown[0].ndim == 3 \
            else 1
        num = self.form.num_classes(task, shown)
        self.num_classes = num
        self.palette = palette if palette is not None and \
            len(palette) >= num else class_palette(num)
        self.class_names = list(class_names or [])
        self.class_names += [f'class {i}' for i in
                             range(len(self.class_names), num)]
        self.value_range = self.form.value_range(self)
        # no error where there is no ground truth of the same size
        self.errors = [
            None if p is None or self.gt is None or
            p.shape[-2:] != self.gt.shape[-2:] else self.form.error(self, p)
            for p in self.preds
        ]
        self.error_max, self.error_clipped = self.form.error_range(
            [e[self.valid] for e in self.errors if e is not None])

    # ------------------------------------------------------------ values
    def _map(self, value) -> np.ndarray:
        """A stored or predicted map as the form keeps it."""
        return self.form.display_map(_as_numpy(value))

    def scalar(self, array: np.ndarray) -> np.ndarray:
        """(H, W) shown of a (C, H, W) map: channel 0, or the mean of
        several channels (C free values have no single colouring)."""
        return array[0] if array.shape[0] == 1 else array.mean(0)

    def mean_error(self, index: int) -> float:
        """Mean error of prediction ``index`` over the valid pixels."""
        return float(np.nanmean(self.errors[index][self.valid]))

    # ---------------------------------------------------------- pictures
    def grey_out(self, picture: np.ndarray,
                 extra: Optional[np.ndarray] = None) -> np.ndarray:
        """``picture`` (H, W, 3) with the pixels without ground truth, and
        those of the bool mask ``extra``, in :data:`INVALID_GREY`."""
        invalid = np.zeros(picture.shape[:2], bool)
        if self.valid is not None and self.valid.shape == invalid.shape:
            invalid = ~self.valid
        if extra is not None:
            invalid |= extra
        picture[invalid] = INVALID_GREY
        return picture

    @staticmethod
    def colourise(cmap: str, scaled: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8 of values in [0, 1] (NaN: 0) on a matplotlib
        colour map."""
        return (matplotlib.colormaps[cmap](np.nan_to_num(scaled))[..., :3]
                * 255).astype(np.uint8)

    def colour_map_picture(self, value: np.ndarray, cmap: str) -> np.ndarray:
        """(H, W, 3) uint8 of a (C, H, W) map's :meth:`scalar` on ``cmap``
        over :attr:`value_range` (clipped); non-finite values grey."""
        scalar = self.scalar(value)
        low, high = self.value_range
        scaled = np.clip((scalar - low) / (high - low), 0, 1)
        return self.grey_out(self.colourise(cmap, scaled),
                             ~np.isfinite(scalar))

    def picture(self, value: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8 of a ground truth or prediction map."""
        return self.form.picture(self, value)

    def error_picture(self, error: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8 of an error map from :attr:`errors`."""
        return self.form.error_picture(self, error)

    def caption(self, index: int) -> str:
        """The metric of prediction ``index`` over the valid pixels, e.g.
        ``'pixel accuracy 87.1 %'``; ``''`` without ground truth."""
        if self.errors[index] is None or not self.valid.any():
            return ''
        return self.form.caption(self, index)

    # -------------------------------------------------------------- keys
    def has_invalid(self) -> bool:
        """Whether some pixels have no ground truth (the keys say so)."""
        return self.valid is not None and not self.valid.all()

    @property
    def sublabel(self) -> str:
        """A line under the row's title where the picture needs one."""
        return self.form.sublabel(self)

    def key(self):
        """The legend or colour bar of the maps (:mod:`.figure_grid`)."""
        return self.form.key(self)

    def error_key(self):
        """The legend or colour bar of the error maps."""
        return self.form.error_key(self)

    def legend(self, entries: List[tuple], title: str) -> LegendKey:
        """A legend of ``(colour, label)`` entries, with the grey of
        pixels without ground truth where there are some."""
        if self.has_invalid():
            entries = entries + [(INVALID_GREY, 'no ground truth')]
        return LegendKey(entries, title=title)

    def colour_bar(self, cmap: str, low: float, high: float, label: str,
                   extend: str) -> ColourBarKey:
        """A colour bar (``extend``: the ends whose colours are clipped),
        with the grey of pixels without ground truth where there are
        some."""
        return ColourBarKey(cmap, low, high, label, extend=extend,
                            invalid=self.has_invalid(),
                            invalid_colour=INVALID_GREY)

    def text_key(self, lines: List[tuple]) -> TextKey:
        """Lines of ``(text, colour)``, and one for the grey of pixels
        without ground truth where there are some."""
        if self.has_invalid():
            lines = lines + [('grey: no ground truth', '0.4')]
        return TextKey(lines)

    def beyond_range(self) -> str:
        """Colour bar ``extend``: whether predictions shown leave
        :attr:`value_range` (their colours are then clipped)."""
        low, high = self.value_range
        below = above = False
        for pred in self.preds:
            if pred is None:
                continue
            shown = self.scalar(pred)
            if self.valid is not None and self.valid.shape == shown.shape:
                shown = shown[self.valid]
            shown = shown[np.isfinite(shown)]
            below |= bool(shown.size and shown.min() < low)
            above |= bool(shown.size and shown.max() > high)
        return {(False, False): 'neither', (True, False): 'min',
                (False, True): 'max', (True, True): 'both'}[(below, above)]


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
    # only a form that draws classes reads the names
    names = task_class_names(task, class_names, meta)
    unit = task_unit(task, {**(meta.get('units') or {}), **(units or {})})
    return TaskView(task, gt, preds, names, unit,
                    dataset_palette(task, meta))


def render_task(task, value: torch.Tensor, value_range=None,
                palette: Optional[np.ndarray] = None) -> np.ndarray:
    """A task's map alone as an (H, W, 3) uint8 picture, drawn by its
    kind's output form (see :class:`TaskView`).

    Args:
        task (DenseTask): The task kind.
        value (Tensor): (H, W) class ids or (C, H, W) values.
        value_range (tuple, optional): (low, high) of the colour scale of a
            colour-mapped form instead of the form's own (for
            ``'regression'``, the map's range).
        palette (ndarray, optional): (C, 3) class colours.
    """
    view = TaskView(task, None, [value], palette=palette)
    if value_range is not None:
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

    The tasks it draws are those ``dataset_meta['tasks']`` declares: the
    dataset's, which mmengine's val and test loops hand over with its class
    names, or a trained model's (the inferencer, the visualization hook).

    Args:
        name (str): Instance name.
        class_names (dict, optional): Task name -> names of its class ids;
            otherwise ``dataset_meta['classes']`` where it fits the task's
            number of classes, else ``'class i'``.
        units (dict, optional): Task name -> unit of its values on colour
            bars (e.g. ``dict(depth='mm')``); otherwise
            ``dataset_meta['units']``, else the kind's ``UNIT``.
        **kwargs: See :class:`mmengine.visualization.Visualizer`.
    """

    def __init__(self, name: str = 'visualizer',
                 class_names: Optional[Dict[str, Sequence[str]]] = None,
                 units: Optional[Dict[str, str]] = None, **kwargs) -> None:
        super().__init__(name=name, **kwargs)
        self.class_names = dict(class_names or {})
        self.units = dict(units or {})
        self.last_figure = None
        self._built: tuple = (None, {})  # (declaration, its tasks)

    @property
    def tasks(self) -> Dict[str, DenseTask]:
        """The tasks of ``dataset_meta['tasks']``, built once per
        declaration.

        Raises:
            ValueError: If the dataset meta declares no task.
        """
        declared = (self.dataset_meta or {}).get('tasks')
        if not declared:
            raise ValueError(
                f'MultiTaskVisualizer {self.instance_name!r}: its '
                "dataset_meta declares no task (no 'tasks'); declare them "
                "in the dataset config: tasks=dict(name=dict(type="
                "'SemanticTask', ...), ...)")
        if self._built[0] is not declared:
            self._built = (declared, build_tasks(declared))
        return self._built[1]

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
