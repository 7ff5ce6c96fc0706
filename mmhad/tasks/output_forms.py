"""Output forms: what one pixel's prediction is, and all that follows.

A task kind names its form (``DenseTask.OUTPUT_FORM``); the form object
registered under that name in :data:`~mmhad.registry.OUTPUT_FORMS` answers,
once, everything that depends on the form and not on the kind:

* HAD: its default pseudo-label grouping (:attr:`OutputForm.grouping`),
  which of its per-family loss settings applies (:attr:`OutputForm.family`)
  and the teacher's confidence (:meth:`OutputForm.confidence`);
* LwM: the score whose attention is distilled
  (:meth:`OutputForm.attention_score`);
* the prediction saver (``mmhad.apis.save_predictions``): the files written
  (:meth:`OutputForm.files`);
* the visualiser: how a map is decoded, coloured, compared with its ground
  truth and keyed (the methods taking a ``view``, a
  :class:`~mmhad.visualization.multitask_visualizer.TaskView`).

A new form is one class registered under its name; a task whose kind names
a form that is not registered is refused when it is built
(:func:`build_output_form`)::

    @OUTPUT_FORMS.register_module(name='my_form')
    class MyForm(OutputForm):
        grouping = dict(type='ForegroundGrouping')
        ...
"""
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import Tensor

from mmhad.registry import OUTPUT_FORMS

#: Colour maps of values, probabilities and errors.
REGRESSION_CMAP = 'viridis'
BINARY_CMAP = 'magma'
ERROR_CMAP = 'Reds'
#: Colours of the class error map.
WRONG_RED = (203, 24, 29)
RIGHT_WHITE = (255, 255, 255)
#: Depth PNGs store round(depth * DEPTH_PNG_SCALE) as 16-bit integers.
DEPTH_PNG_SCALE = 1000


def build_output_form(task) -> 'OutputForm':
    """The form object of a task's kind (its ``OUTPUT_FORM``).

    Args:
        task (DenseTask): The task being built.

    Raises:
        KeyError: The kind names a form that is not registered; the error
            names the task, its kind, the form and the registered forms.
    """
    name = type(task).OUTPUT_FORM
    # module_dict, not ``in OUTPUT_FORMS``: Registry.get also resolves any
    # importable name (a form called 'json' would be the json module)
    if name not in OUTPUT_FORMS.module_dict:
        raise KeyError(
            f'task {task.name!r}: its kind {type(task).__name__} declares '
            f'OUTPUT_FORM {name!r}, which is not a registered output form '
            f'(registered: {sorted(OUTPUT_FORMS.module_dict)}); register '
            f'it in mmhad.registry.OUTPUT_FORMS, see '
            'mmhad/tasks/output_forms.py')
    return OUTPUT_FORMS.build(dict(type=name))


def _with_unit(text: str, unit: str) -> str:
    return f'{text} ({unit})' if unit else text


def _class_png(ids: np.ndarray) -> Optional[np.ndarray]:
    """Class ids as the PNG array that holds them exactly (uint8, else
    uint16); ``None`` when no PNG can (negative ids, or above 65535)."""
    if ids.size and (ids.min() < 0 or ids.max() > 65535):
        return None
    return ids.astype(np.uint8 if ids.max(initial=0) < 256 else np.uint16)


def _direction_rgb(values: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 RGB = (n + 1) / 2 * 255 of up to three components
    (C, H, W); missing components are 0 (128), NaN is 0."""
    rgb = np.zeros((3, ) + values.shape[1:], np.float32)
    count = min(3, len(values))
    rgb[:count] = values[:count]
    picture = np.round((np.clip(np.nan_to_num(rgb), -1, 1) + 1) / 2 *
                       255).astype(np.uint8).transpose(1, 2, 0)
    return np.ascontiguousarray(picture)


class OutputForm:
    """Base of output forms (registered in ``OUTPUT_FORMS``).

    Subclasses set :attr:`grouping` and implement the drawing methods
    :meth:`picture`, :meth:`error`, :meth:`caption`, :meth:`key` and
    :meth:`error_label`; the other members have defaults: family
    ``'classification'`` and LwM's score the prediction's fit to its
    pseudo-label (right where the pseudo-label is a decision on the
    prediction, a class or a side of 0.5; :class:`RegressionForm`, whose
    pseudo-label is the prediction itself, overrides both), no confidence,
    the exact ``.npy`` as the only file, maps kept as (C, H, W) values on a
    (0, 1) scale, errors as magnitudes on a colour bar.

    The ``view`` given to the drawing methods is the
    :class:`~mmhad.visualization.multitask_visualizer.TaskView` being
    drawn: its task, maps (``gt``, ``preds``, as :meth:`display_map`
    returns them; ``errors``, as :meth:`error` does), ``valid`` (bool
    (H, W), the pixels with ground truth), ``unit``, ``channels``,
    ``num_classes``, ``palette``, ``class_names``, ``value_range``,
    ``error_max`` and ``error_clipped``, and helpers that colour and key
    the maps (``scalar``, ``mean_error``, ``colour_map_picture``,
    ``colourise``, ``grey_out``, ``beyond_range``, ``legend``,
    ``colour_bar``, ``text_key``).
    """

    #: Which of HAD's per-family loss settings (``db_loss=dict(
    #: classification=..., regression=...)``) applies to the form's tasks:
    #: ``'classification'`` or ``'regression'``.
    family = 'classification'
    #: HAD's default pseudo-label grouping of the form's tasks, a
    #: ``PSEUDO_GROUPINGS`` config; a config's ``HAD(groupings=...)``
    #: replaces it for the form's family.
    grouping: dict
    #: Top of the error colour bar when no error shown is above 0.
    error_max = 1.

    def __repr__(self) -> str:
        return f'{type(self).__name__}()'

    # ------------------------------------------------------------ methods
    def confidence(self, task, teacher_pred: Tensor) -> Optional[Tensor]:
        """How sure the teacher is of each pixel's pseudo-label, for HAD's
        weak-teacher guard.

        Args:
            task (DenseTask): The old task.
            teacher_pred (Tensor): The teacher's prediction (N, C, H, W).

        Returns:
            Tensor | None: (N, H, W) in [0, 1]; ``None`` (the default)
            where outputs carry no confidence: every pixel is distilled.
        """
        return None

    def attention_score(self, task, pred: Tensor, pseudo: Tensor) -> Tensor:
        """The score whose Grad-CAM attention LwM distils: by default how
        well a prediction explains the teacher's pseudo-label, minus the
        kind's pixel loss to it (for log-probabilities, the mean log
        probability of the teacher's class).

        Args:
            task (DenseTask): The old task.
            pred (Tensor): The teacher's or the student's prediction
                (N, C, H, W).
            pseudo (Tensor): The teacher's pseudo-label
                (``task.pseudo_label``).

        Returns:
            Tensor: Scalar, the sum over the batch of per-image scores.
        """
        return -task.pixel_loss(pred, pseudo).mean(dim=(1, 2)).sum()

    # -------------------------------------------------------------- saver
    def files(self, pred: np.ndarray) -> List[Tuple[str, np.ndarray]]:
        """What the prediction saver writes of one prediction, as
        ``(suffix, array)``: a ``'.npy'`` is saved exactly (dtype and
        values), a ``'.png'`` with PIL. By default the prediction's
        ``.npy`` and the :meth:`preview` PNG where there is one.

        Args:
            pred (ndarray): The prediction, (C, H, W) or (H, W).

        Returns:
            list[tuple[str, ndarray]]: Suffix and array of each file.
        """
        preview = self.preview(pred if pred.ndim == 3 else pred[None])
        return [('.npy', pred)] + ([] if preview is None else
                                   [('.png', preview)])

    def preview(self, values: np.ndarray) -> Optional[np.ndarray]:
        """A PNG array of values (C, H, W) for viewing (rounded, clipped);
        ``None`` (the default) where the form has none."""
        return None

    # --------------------------------------------------------------- view
    def display_map(self, array: np.ndarray) -> np.ndarray:
        """A ground truth or prediction as a view keeps it: (C, H, W)
        float by default (an (H, W) map gains its channel)."""
        return array[None] if array.ndim == 2 else array

    def num_classes(self, task, maps: Sequence[np.ndarray]) -> int:
        """How many class colours and names the maps need; 0 (the
        default) for forms that draw no classes."""
        return 0

    def value_range(self, view) -> Tuple[float, float]:
        """(low, high) of the colour scale of the maps; (0, 1) by
        default."""
        return 0., 1.

    def picture(self, view, value: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8 of a ground truth or prediction map."""
        raise NotImplementedError

    def error(self, view, pred: np.ndarray) -> np.ndarray:
        """(H, W) error of a prediction map against ``view.gt``."""
        raise NotImplementedError

    def error_range(self, errors: Sequence[np.ndarray]) -> Tuple[float, bool]:
        """Top of the error colour bar, and whether errors above it are
        clipped: the 99th percentile of the errors shown, so that a few
        outliers do not wash the map out (:attr:`error_max` when none is
        above 0).

        Args:
            errors (list[ndarray]): The errors of the valid pixels, 1-d.
        """
        found = np.concatenate(errors) if errors else np.zeros(0)
        found = found[np.isfinite(found)]
        high = float(np.percentile(found, 99)) if found.size else 0.
        return (high if high > 0 else self.error_max,
                bool(found.size and found.max() > high))

    def error_picture(self, view, error: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8 of an error map: the magnitude up to
        ``view.error_max`` on :data:`ERROR_CMAP` by default."""
        scaled = np.clip(np.nan_to_num(error) / view.error_max, 0, 1)
        return view.grey_out(view.colourise(ERROR_CMAP, scaled))

    def caption(self, view, index: int) -> str:
        """The metric of prediction ``index`` over the valid pixels (the
        view calls it where there are some)."""
        raise NotImplementedError

    def sublabel(self, view) -> str:
        """A line under the row's title where the picture needs one
        (none by default)."""
        return ''

    def key(self, view):
        """The legend or colour bar of the maps."""
        raise NotImplementedError

    def error_key(self, view):
        """The key of the error maps: by default a colour bar up to
        ``view.error_max`` labelled :meth:`error_label`."""
        return view.colour_bar(
            ERROR_CMAP, 0., view.error_max, self.error_label(view),
            extend='max' if view.error_clipped else 'neither')

    def error_label(self, view) -> str:
        """The label of the error colour bar."""
        raise NotImplementedError


@OUTPUT_FORMS.register_module(name='classes')
class ClassesForm(OutputForm):
    """C class log-probabilities per pixel, decoded to a class id.

    HAD groups pixels by the teacher's class; its confidence is the
    teacher's top-1 probability. Saved: the ids (H, W) as a PNG, 8-bit
    below 256 classes, else 16-bit (lossless); ids a PNG cannot hold
    (negative or above 65535) as ``.npy`` instead; undecoded scores
    (C, H, W) as ``.npy`` too, beside the PNG of their argmax. Drawn: ids
    in a palette with a legend of the classes shown; error: the wrongly
    classified pixels; caption: the pixel accuracy.
    """

    grouping = dict(type='ClassGrouping')

    def confidence(self, task, teacher_pred: Tensor) -> Tensor:
        return teacher_pred.detach().float().max(dim=1).values.exp()

    def files(self, pred: np.ndarray) -> List[Tuple[str, np.ndarray]]:
        files = []
        ids = pred
        if pred.ndim == 3 and pred.shape[0] > 1:  # scores, not ids
            files.append(('.npy', pred))
            ids = pred.argmax(0)
        png = _class_png(ids.reshape(ids.shape[-2:]))
        if png is not None:
            files.append(('.png', png))
        elif pred.ndim == 2 or pred.shape[0] == 1:
            files.append(('.npy', pred))
        return files

    def display_map(self, array: np.ndarray) -> np.ndarray:
        """(H, W) int64 class ids; scores (C, H, W) are decoded, pixels
        without a value (NaN) become -1."""
        if array.ndim == 3:  # scores, not yet decoded
            array = array.argmax(0) if array.shape[0] > 1 else array[0]
        return np.round(np.nan_to_num(array, nan=-1)).astype(np.int64)

    def num_classes(self, task, maps: Sequence[np.ndarray]) -> int:
        """The kind's ``num_classes``, else as many as the ids shown."""
        num = getattr(task, 'num_classes', None)
        if num is None:
            num = max([int(m.max(initial=0)) + 1 for m in maps] + [1])
        return num

    def picture(self, view, value: np.ndarray) -> np.ndarray:
        outside = (value < 0) | (value >= view.num_classes)
        picture = view.palette[value.clip(0, max(view.num_classes - 1,
                                                 0))].copy()
        return view.grey_out(picture, outside)

    def error(self, view, pred: np.ndarray) -> np.ndarray:
        return pred != view.gt

    def error_range(self, errors: Sequence[np.ndarray]) -> Tuple[float, bool]:
        # right or wrong: no scale to fit
        return self.error_max, False

    def error_picture(self, view, error: np.ndarray) -> np.ndarray:
        picture = np.where(error[..., None], WRONG_RED,
                           RIGHT_WHITE).astype(np.uint8)
        return view.grey_out(picture)

    def caption(self, view, index: int) -> str:
        wrong = float(view.errors[index][view.valid].mean())
        return f'pixel accuracy {100 * (1 - wrong):.1f} %'

    def key(self, view):
        """A legend of the classes shown on the valid pixels."""
        seen = set()
        for value in [view.gt] + view.preds:
            if value is not None:
                shown = value if view.valid is None else value[view.valid]
                seen.update(np.unique(shown).tolist())
        ids = [i for i in sorted(seen) if 0 <= i < view.num_classes]
        return view.legend(
            [(view.palette[i], view.class_names[i]) for i in ids], 'classes')

    def error_key(self, view):
        return view.legend([(RIGHT_WHITE, 'right class'),
                            (WRONG_RED, 'wrong class')], 'error')


@OUTPUT_FORMS.register_module(name='binary')
class BinaryForm(OutputForm):
    """One probability per pixel (boundaries, saliency).

    HAD groups pixels by the side of 0.5 the teacher puts them on, so the
    few positive pixels weigh as much as the many negative ones; its
    confidence is the probability of that side. Saved: the ``.npy`` and an
    8-bit PNG of round(255 p) of the first channel. Drawn: the probability
    as a heat map in [0, 1]; error: |p - ground truth|; caption: the
    accuracy at p >= 0.5.
    """

    grouping = dict(type='BinaryGrouping')

    def confidence(self, task, teacher_pred: Tensor) -> Tensor:
        prob = teacher_pred.detach().float()[:, 0]
        return torch.maximum(prob, 1 - prob)

    def preview(self, values: np.ndarray) -> np.ndarray:
        return np.round(values[0].clip(0, 1) * 255).astype(np.uint8)

    def picture(self, view, value: np.ndarray) -> np.ndarray:
        return view.colour_map_picture(value, BINARY_CMAP)

    def error(self, view, pred: np.ndarray) -> np.ndarray:
        return np.abs(pred[0] - view.gt[0])

    def caption(self, view, index: int) -> str:
        pred = view.preds[index][0][view.valid] >= 0.5
        gt = view.gt[0][view.valid] >= 0.5
        return f'accuracy {100 * float((pred == gt).mean()):.1f} % ' \
            '(p ≥ 0.5)'

    def key(self, view):
        low, high = view.value_range
        return view.colour_bar(BINARY_CMAP, low, high, 'probability',
                               extend='neither')

    def error_label(self, view) -> str:
        return '|p − ground truth|'


@OUTPUT_FORMS.register_module(name='regression')
class RegressionForm(OutputForm):
    """C free values per pixel (depth, curvature, ...).

    HAD splits pixels into foreground and background (or bins) of the
    pseudo-label; no confidence. LwM's score is the mean prediction.
    Saved: the ``.npy``; for one channel (depth-like maps) also a 16-bit
    PNG of round(value * :data:`DEPTH_PNG_SCALE`) (millimetres for metres,
    clipped to [0, 65.535]); several channels: the ``.npy`` only (no PNG
    holds C signed values). Drawn: channel 0 (C = 1) or the channel mean
    with a colour bar in the task's unit, ground truth and predictions in
    the ground truth's range; error: |prediction - ground truth| averaged
    over channels; caption: the mean error.
    """

    family = 'regression'
    grouping = dict(type='ForegroundGrouping')

    def attention_score(self, task, pred: Tensor, pseudo: Tensor) -> Tensor:
        # The pseudo-label is the teacher's prediction itself: the
        # teacher's loss to it is 0 everywhere and explains nothing.
        return pred.float().mean(dim=(1, 2, 3)).sum()

    def preview(self, values: np.ndarray) -> Optional[np.ndarray]:
        if len(values) != 1:
            return None
        return np.round(values[0].clip(0, 65535 / DEPTH_PNG_SCALE) *
                        DEPTH_PNG_SCALE).astype(np.uint16)

    def value_range(self, view) -> Tuple[float, float]:
        """The ground truth's range over its valid pixels (the
        predictions' without one): the same colour is the same value in
        every cell of the row."""
        if view.gt is not None:
            values = view.scalar(view.gt)[view.valid]
        else:
            values = np.concatenate([view.scalar(p).ravel()
                                     for p in view.preds if p is not None]
                                    or [np.zeros(0)])
        values = values[np.isfinite(values)]
        if not values.size:
            return 0., 1.
        low, high = float(values.min()), float(values.max())
        return (low, high) if high > low else (low, low + 1.)

    def picture(self, view, value: np.ndarray) -> np.ndarray:
        return view.colour_map_picture(value, REGRESSION_CMAP)

    def error(self, view, pred: np.ndarray) -> np.ndarray:
        return np.abs(pred - view.gt).mean(0)

    def caption(self, view, index: int) -> str:
        unit = f' {view.unit}' if view.unit else ''
        return f'mean |error| {view.mean_error(index):.3g}{unit}'

    def sublabel(self, view) -> str:
        # C free values have no single colouring
        return f'mean of {view.channels} channels' if view.channels > 1 \
            else ''

    def key(self, view):
        low, high = view.value_range
        return view.colour_bar(REGRESSION_CMAP, low, high,
                               _with_unit(view.task.name, view.unit),
                               extend=view.beyond_range())

    def error_label(self, view) -> str:
        return _with_unit('|error|', view.unit)


@OUTPUT_FORMS.register_module(name='unit_vectors')
class UnitVectorsForm(RegressionForm):
    """C-dimensional directions per pixel (surface normals).

    HAD and LwM treat them as regression outputs (foreground and
    background of the channel mean; the mean prediction). Saved: the
    ``.npy`` and, for two or three components, an RGB PNG of (n + 1) / 2 *
    255 (a missing third component is 0, i.e. 128). Drawn: up to three
    components as RGB = (n + 1) / 2; error: the angle in degrees; caption:
    the mean angle.
    """

    error_max = 90.

    def preview(self, values: np.ndarray) -> Optional[np.ndarray]:
        return _direction_rgb(values) if len(values) in (2, 3) else None

    def value_range(self, view) -> Tuple[float, float]:
        return -1., 1.

    def picture(self, view, value: np.ndarray) -> np.ndarray:
        return view.grey_out(_direction_rgb(value))

    def error(self, view, pred: np.ndarray) -> np.ndarray:
        channels = min(len(pred), len(view.gt))
        p, g = pred[:channels], view.gt[:channels]
        p = p / np.maximum(np.linalg.norm(p, axis=0), 1e-12)
        g = g / np.maximum(np.linalg.norm(g, axis=0), 1e-12)
        return np.degrees(np.arccos(np.clip((p * g).sum(0), -1, 1)))

    def caption(self, view, index: int) -> str:
        return f'mean angle error {view.mean_error(index):.1f}°'

    def sublabel(self, view) -> str:
        return f'{view.channels}-d directions' if view.channels != 3 else ''

    def key(self, view):
        lines = [('colour = (n + 1) / 2', 'black'),
                 ('red: x', (0.75, 0, 0)), ('green: y', (0, 0.5, 0))]
        if view.channels >= 3:
            lines.append(('blue: z', (0, 0, 0.8)))
        return view.text_key(lines)

    def error_label(self, view) -> str:
        return 'angle error (°)'
