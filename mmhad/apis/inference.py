"""Run a trained lifelong model on images, as ``mmseg.apis`` does."""
import os
import os.path as osp
from typing import List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.runner.checkpoint import (_load_checkpoint,
                                        _load_checkpoint_to_model)

from mmhad.datasets.transforms.formatting import to_chw
from mmhad.datasets.transforms.loading import load_image, read_rgb
from mmhad.registry import MODELS
from mmhad.structures import MultiTaskDataSample
from mmhad.tasks import config_tasks
from mmhad.utils import register_all_modules

ImageInput = Union[str, np.ndarray]


def init_model(config: Union[str, Config],
               checkpoint: Optional[str] = None,
               device: str = 'cpu',
               cfg_options: Optional[dict] = None):
    """Build a config's model and load a checkpoint into it.

    Any phase checkpoint works: the model predicts the tasks it has heads
    for (``model.task_names``), which the log line names.

    Args:
        config (str | Config): Config file or object.
        checkpoint (str, optional): ``phase_<t>_<task>.pth`` or an epoch
            checkpoint; ``None`` leaves the weights as initialised (no
            heads until a phase begins).
        device (str): Where the model runs.
        cfg_options (dict, optional): Overrides merged into the config.

    Returns:
        nn.Module: The model in eval mode, with ``cfg`` attached.
    """
    register_all_modules()
    cfg = Config.fromfile(config) if isinstance(config, str) else config
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    architecture = cfg.model.get('architecture', cfg.model)
    if checkpoint is not None:
        # the checkpoint holds every weight: nothing to download
        architecture.get('backbone', {})['init_cfg'] = None
    model = MODELS.build(cfg.model)
    if checkpoint is not None and not osp.isfile(checkpoint):
        raise FileNotFoundError(f'checkpoint {checkpoint} not found')
    state = _load_checkpoint(checkpoint, map_location='cpu') \
        if checkpoint is not None else {}
    if not model.tasks:
        # a checkpoint records the tasks its training set declared (in
        # meta['dataset_meta']); without one, the config's datasets do
        meta = state.get('meta') or {}
        declared = (meta.get('dataset_meta') or {}).get('tasks')
        model.set_tasks(declared or config_tasks(cfg))
    if checkpoint is not None:
        _load_checkpoint_to_model(model, state)
    model.cfg = cfg
    model.to(device).eval()
    MMLogger.get_current_instance().info(
        f'init_model: predicts {model.task_names or "no task yet"}'
        + (f' ({checkpoint})' if checkpoint else ''))
    return model


def _as_image(img: ImageInput) -> np.ndarray:
    """(H, W, 3) float32 in [0, 1] from a file (.npy, PNG, JPEG) or an
    array (float in [0, 1] or uint8)."""
    if isinstance(img, str):
        return load_image(img) if img.endswith('.npy') else read_rgb(img)
    array = np.asarray(img)
    if array.ndim != 3 or array.shape[2] != 3:
        raise ValueError(f'expected an H x W x 3 image, got shape '
                         f'{array.shape}')
    return array / 255. if array.dtype == np.uint8 else array


def inference_model(
    model, imgs: Union[ImageInput, Sequence[ImageInput]]
) -> Union[MultiTaskDataSample, List[MultiTaskDataSample]]:
    """Predict every task the model has a head for.

    Args:
        model: From :func:`init_model`.
        imgs: One image or several (file paths or H x W x 3 arrays); images
            of different sizes are run one by one. The geometric steps of
            the config's test pipeline (``ResizeTo``, ``PadTo``) are applied
            and the predictions mapped back to the input's size.

    Returns:
        MultiTaskDataSample or list: ``pred_<task>`` for each task (class
        ids (H, W), depth (1, H, W), normals (3, H, W), ...), with
        ``img_path`` (for files) and ``ori_shape`` in the metainfo.
    """
    single = isinstance(imgs, (str, np.ndarray))
    images = [imgs] if single else list(imgs)
    results = []
    device = next(model.parameters()).device
    steps = _geometry(model)
    for img in images:
        array = _as_image(img)
        ori_shape = array.shape[:2]
        for step in steps:
            array = step.transform(dict(img=array, gt_fields=[]))['img']
        sample = MultiTaskDataSample(metainfo=dict(
            ori_shape=ori_shape,
            img_path=img if isinstance(img, str) else None))
        batch = model.data_preprocessor(
            dict(inputs=[to_chw(array).to(device)], data_samples=[sample]),
            False)
        sample, = model.predict(batch['inputs'], batch['data_samples'])
        if steps:
            for name in model.task_names:
                key = model.tasks[name].pred_key
                sample.set_field(
                    _back_to(sample.get(key), ori_shape, steps), key)
        results.append(sample)
    return results[0] if single else results


#: Test-pipeline transforms that change an image's geometry; inference
#: applies them and maps predictions back to the input size.
GEOMETRIC_TRANSFORMS = ('ResizeTo', 'PadTo')


def _geometry(model) -> list:
    """The geometric transforms of the model config's test pipeline."""
    from mmhad.registry import TRANSFORMS
    cfg = getattr(model, 'cfg', None) or {}
    loader = cfg.get('test_dataloader') or {}
    pipeline = (loader.get('dataset') or {}).get('pipeline') or []
    return [TRANSFORMS.build(t) for t in pipeline
            if t.get('type') in GEOMETRIC_TRANSFORMS]


def _back_to(value: torch.Tensor, ori_shape, steps) -> torch.Tensor:
    """A prediction of the transformed image at the input's size: padding
    cropped off, resizing undone (nearest for class ids)."""
    shapes = [tuple(ori_shape)]
    for step in steps[:-1]:
        shapes.append(tuple(getattr(step, 'size', shapes[-1])))
    for step, shape in zip(reversed(steps), reversed(shapes)):
        if type(step).__name__ == 'PadTo':
            value = value[..., :shape[0], :shape[1]]
        else:
            ids = value.dim() == 2
            resized = torch.nn.functional.interpolate(
                value[None, None].float() if ids else value[None].float(),
                size=shape, mode='nearest' if ids else 'bilinear',
                align_corners=None if ids else False)
            value = resized[0, 0].to(value.dtype) if ids else resized[0]
    return value


#: Depth PNGs store round(depth * DEPTH_PNG_SCALE) as 16-bit integers.
DEPTH_PNG_SCALE = 1000


def save_predictions(sample: MultiTaskDataSample, model, out_dir: str,
                     stem: str) -> List[str]:
    """Write each ``pred_<task>`` of a sample losslessly, as
    ``<out_dir>/<stem>_<task>.<ext>``.

    What is written depends on the task kind's ``OUTPUT_FORM``, never on
    its name, and any channel count C is saved:

    * ``'classes'``: the class ids (H, W) as a PNG, 8-bit below 256
      classes, else 16-bit (lossless); ids a PNG cannot hold (negative or
      above 65535) as ``.npy`` instead. Undecoded scores (C, H, W) are
      saved as ``.npy`` too, beside the PNG of their argmax.
    * ``'binary'``: ``.npy`` of the probabilities (C, H, W), and a preview
      8-bit PNG of round(255 p) of the first channel.
    * ``'regression'``: ``.npy`` of the values (C, H, W); for one channel
      (depth-like maps) also a 16-bit PNG of round(value *
      :data:`DEPTH_PNG_SCALE`) (millimetres for metres, clipped to
      [0, 65.535]); several channels: the ``.npy`` only (no PNG holds C
      signed values; the panel of :class:`MultiTaskVisualizer` draws
      them).
    * ``'unit_vectors'``: ``.npy`` of the vectors (C, H, W), and for two
      or three components an RGB PNG of (n + 1) / 2 * 255 (a missing
      third component is 0, i.e. 128).

    The ``.npy`` files hold the prediction exactly as predicted (dtype and
    values); the PNG previews are rounded and clipped, for viewing.

    Args:
        sample (MultiTaskDataSample): From :func:`inference_model`.
        model: The model (its ``task_names`` and ``tasks``).
        out_dir (str): Folder, created if missing.
        stem (str): File name prefix, e.g. the image's name.

    Returns:
        list[str]: The files written.
    """
    from PIL import Image
    os.makedirs(out_dir, exist_ok=True)
    written = []

    def save(array: np.ndarray, suffix: str) -> None:
        path = osp.join(out_dir, f'{stem}_{name}{suffix}')
        if suffix == '.npy':
            np.save(path, array)
        else:
            Image.fromarray(array).save(path)
        written.append(path)

    for name in model.task_names:
        task = model.tasks[name]
        pred = sample.get(task.pred_key)
        if pred is None:
            continue
        pred = pred.detach().cpu().numpy()
        # the form the kind declares; a kind without one is kept as values
        form = getattr(task, 'OUTPUT_FORM', 'regression')
        if form == 'classes':
            ids = pred
            if pred.ndim == 3 and pred.shape[0] > 1:  # scores, not ids
                save(pred, '.npy')
                ids = pred.argmax(0)
            ids = ids.reshape(ids.shape[-2:])
            png = _class_png(ids)
            if png is not None:
                save(png, '.png')
            elif pred.ndim == 2 or pred.shape[0] == 1:
                save(pred, '.npy')
            continue
        save(pred, '.npy')
        values = pred if pred.ndim == 3 else pred[None]
        channels = values.shape[0]
        if form == 'binary':
            save(np.round(values[0].clip(0, 1) * 255).astype(np.uint8),
                 '.png')
        elif form == 'unit_vectors' and channels in (2, 3):
            rgb = np.zeros((3, ) + values.shape[1:], np.float32)
            rgb[:channels] = values
            save(np.round((rgb.transpose(1, 2, 0).clip(-1, 1) + 1) / 2 *
                          255).astype(np.uint8), '.png')
        elif form == 'regression' and channels == 1:
            save(np.round(values[0].clip(0, 65535 / DEPTH_PNG_SCALE) *
                          DEPTH_PNG_SCALE).astype(np.uint16), '.png')
    return written


def _class_png(ids: np.ndarray) -> Optional[np.ndarray]:
    """Class ids as the PNG array that holds them exactly (uint8, else
    uint16); ``None`` when no PNG can (negative ids, or above 65535)."""
    if ids.size and (ids.min() < 0 or ids.max() > 65535):
        return None
    return ids.astype(np.uint8 if ids.max(initial=0) < 256 else np.uint16)
