"""Run a trained lifelong model on images, as ``mmseg.apis`` does."""
import os
import os.path as osp
from typing import List, Optional, Sequence, Union

import numpy as np
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.runner.checkpoint import (_load_checkpoint,
                                        _load_checkpoint_to_model)

from mmhad.datasets.transforms.formatting import to_chw
from mmhad.datasets.transforms.loading import load_image, read_rgb
from mmhad.engine.safe_checkpoint_loader import check_weights_fit
from mmhad.registry import MODELS
from mmhad.structures import MultiTaskDataSample
from mmhad.tasks import trained_tasks
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
    # a checkpoint records the tasks its training set declared; without
    # one, the config's datasets do
    model.set_tasks(trained_tasks(cfg, state))
    if checkpoint is not None:
        _load_checkpoint_to_model(model, state)
        # after the load, which builds the heads the checkpoint has
        check_weights_fit(model.state_dict(), state, checkpoint)
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

    Each image goes through the config's whole test pipeline except its
    loading steps (the image is given): the same resizing, padding and
    packing as in evaluation. Transforms that declare an inverse
    (``invert_prediction(pred, shape)``: ``ResizeTo``, ``PadTo``) are then
    undone on every prediction, last first, so predictions come back at
    the input's size.

    Args:
        model: From :func:`init_model`.
        imgs: One image or several (file paths or H x W x 3 arrays); images
            of different sizes are run one by one.

    Returns:
        MultiTaskDataSample or list: ``pred_<task>`` for each task (class
        ids (H, W), depth (1, H, W), normals (3, H, W), ...), with
        ``img_path`` (for files) and ``ori_shape`` in the metainfo.

    Raises:
        ValueError: A test-pipeline step changes the image's size and
            declares no inverse (the predictions could not be mapped back).
    """
    single = isinstance(imgs, (str, np.ndarray))
    images = [imgs] if single else list(imgs)
    results = []
    device = next(model.parameters()).device
    steps = inference_steps(model)
    for img in images:
        array = _as_image(img)
        data = dict(img=array, gt_fields=[], tasks=[],
                    ori_shape=array.shape[:2], img_shape=array.shape[:2],
                    img_path=img if isinstance(img, str) else None)
        undo = []
        for step in steps:
            before = tuple(data['img'].shape[:2]) if 'img' in data else None
            data = step.transform(data)
            if hasattr(step, 'invert_prediction'):
                undo.append((step, before))
            elif 'img' in data and tuple(data['img'].shape[:2]) != before:
                raise ValueError(
                    f'test pipeline step {type(step).__name__} changes the '
                    f'image size from {before} to {data["img"].shape[:2]} '
                    'and has no invert_prediction(pred, shape): predictions '
                    'could not be mapped back to the input')
        if 'inputs' not in data:  # a pipeline without a packing step
            data = dict(inputs=to_chw(data['img']),
                        data_samples=MultiTaskDataSample(metainfo=dict(
                            ori_shape=data['ori_shape'],
                            img_path=data['img_path'])))
        batch = model.data_preprocessor(
            dict(inputs=[data['inputs'].to(device)],
                 data_samples=[data['data_samples']]), False)
        sample, = model.predict(batch['inputs'], batch['data_samples'])
        for name in model.task_names:
            key = model.tasks[name].pred_key
            value = sample.get(key)
            for step, shape in reversed(undo):
                value = step.invert_prediction(value, shape)
            sample.set_field(value, key)
        results.append(sample)
    return results[0] if single else results


def is_loading_step(transform) -> bool:
    """Whether a transform reads the sample's files (``loads_files``, or
    OpenMMLab's ``Load*`` naming where a transform does not say)."""
    return getattr(transform, 'loads_files',
                   type(transform).__name__.startswith('Load'))


def inference_steps(model) -> list:
    """The model config's test pipeline without its loading steps (an
    empty list without a config or a test pipeline)."""
    from mmhad.registry import TRANSFORMS
    cfg = getattr(model, 'cfg', None) or {}
    loader = cfg.get('test_dataloader') or {}
    pipeline = (loader.get('dataset') or {}).get('pipeline') or []
    steps = [TRANSFORMS.build(t) for t in pipeline]
    return [step for step in steps if not is_loading_step(step)]


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
