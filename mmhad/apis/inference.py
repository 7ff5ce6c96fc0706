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
    if checkpoint is not None:
        # another model's weights would load as nothing (strict=False);
        # the shared backbone's keys are there before any head is built
        check_weights_fit(model.state_dict(), state, checkpoint)
    # a checkpoint records the tasks its training set declared; without
    # one, the config's datasets do
    model.set_tasks(trained_tasks(cfg, state))
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


def save_predictions(sample: MultiTaskDataSample, model, out_dir: str,
                     stem: str) -> List[str]:
    """Write each ``pred_<task>`` of a sample losslessly, as
    ``<out_dir>/<stem>_<task>.<ext>``.

    What is written is the task's output form's, never its name's
    (:meth:`~mmhad.tasks.output_forms.OutputForm.files`), for any channel
    count: class ids as PNG, and for values the exact ``.npy`` with a PNG
    preview where the form has one (8-bit probabilities, 16-bit
    millimetres of one-channel regression maps, RGB directions).

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
    for name in model.task_names:
        task = model.tasks[name]
        pred = sample.get(task.pred_key)
        if pred is None:
            continue
        for suffix, array in task.output_form.files(
                pred.detach().cpu().numpy()):
            path = osp.join(out_dir, f'{stem}_{name}{suffix}')
            if suffix == '.npy':
                np.save(path, array)
            else:
                Image.fromarray(array).save(path)
            written.append(path)
    return written
