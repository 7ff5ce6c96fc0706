"""``MultiTaskInferencer``: mmengine's inferencer for lifelong models."""
import os
import os.path as osp
from typing import List, Optional

from mmengine.infer import BaseInferencer

from mmhad.structures import MultiTaskDataSample
from mmhad.utils import register_all_modules
from .inference import _as_image, inference_model, init_model, save_predictions

#: Files a folder input is read for.
IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp', '.npy')


def dataset_meta(cfg) -> dict:
    """The meta (``classes``, ``palette``, ...) of a config's test (else
    validation) dataset, from its type's ``METAINFO`` and the
    ``metainfo`` of its config, without building it: inference has no
    data to read. ``{}`` where the config names no dataset."""
    from mmhad.registry import DATASETS
    for loader in ('test_dataloader', 'val_dataloader'):
        dataset = (cfg.get(loader) or {}).get('dataset') or {}
        kind = dataset.get('type')
        cls = DATASETS.get(kind) if isinstance(kind, str) else kind
        if cls is None:
            continue
        meta = dict(getattr(cls, 'METAINFO', None) or {})
        meta.update(dataset.get('metainfo') or {})
        return meta
    return {}


class MultiTaskInferencer(BaseInferencer):
    """Predict every task a checkpoint has a head for, on image files,
    folders or arrays, in batches, and write the predictions.

    Example::

        inferencer = MultiTaskInferencer('configs/had/had_r18_nyuv2.py',
                                         'work_dirs/.../phase_3_normal.pth')
        result = inferencer('images/', batch_size=4, out_dir='predictions')
        result['predictions'][0]['depth']  # (1, H, W) numpy array

    ``out_dir`` receives each task of each image in a lossless form
    (:func:`save_predictions`) and a picture of all of them
    (``<image>_panel.png``, :class:`MultiTaskVisualizer`): a row per task
    with the input beside the prediction, titled, with a legend of the
    class names of the config's dataset (``'class i'`` where it names
    none) or a colour bar with the unit (depth in metres), the maps
    upscaled to cells at least 200 px high.
    """

    visualize_kwargs = {'out_dir'}
    postprocess_kwargs = {'return_datasamples'}

    def __init__(self, model, weights: Optional[str] = None,
                 device: str = 'cpu', show_progress: bool = False) -> None:
        register_all_modules()
        super().__init__(model, weights, device, scope='mmhad',
                         show_progress=show_progress)

    def _init_model(self, cfg, weights, device):
        return init_model(cfg, weights, device)

    def _init_visualizer(self, cfg):
        # one MultiTaskVisualizer per inferencer, drawing the model's own
        # tasks (whatever the config layout) with the class names of the
        # config's dataset; built through the registry, so it is also
        # ``MultiTaskVisualizer.get_instance(f'inferencer_{id(self)}')``
        from mmhad.registry import VISUALIZERS
        visualizer = VISUALIZERS.build(dict(
            type='MultiTaskVisualizer', name=f'inferencer_{id(self)}'))
        visualizer.dataset_meta = dict(dataset_meta(self.model.cfg) or {},
                                       tasks=dict(self.model.tasks))
        return visualizer

    def _init_pipeline(self, cfg):
        # inference_model reads each input and applies the test pipeline's
        # geometry, so a batch is the list of inputs as given
        return lambda img: img

    def _init_collate(self, cfg):
        return list

    def forward(self, inputs: list, **kwargs) -> List[MultiTaskDataSample]:
        return inference_model(self.model, inputs)

    def _inputs_to_list(self, inputs) -> list:
        if isinstance(inputs, str) and osp.isdir(inputs):
            return [osp.join(inputs, f) for f in sorted(os.listdir(inputs))
                    if f.lower().endswith(IMAGE_SUFFIXES)]
        return list(inputs) if isinstance(inputs, (list, tuple)) else \
            [inputs]

    def visualize(self, inputs: list, preds: List[MultiTaskDataSample],
                  out_dir: Optional[str] = None) -> Optional[List[list]]:
        if out_dir is None:
            return None
        visualizer = self.visualizer
        written = []
        for index, (img, pred) in enumerate(zip(inputs, preds)):
            stem = osp.splitext(osp.basename(img))[0] \
                if isinstance(img, str) else f'{index:05d}'
            files = save_predictions(pred, self.model, out_dir, stem)
            panel = osp.join(out_dir, f'{stem}_panel.png')
            visualizer.add_datasample(stem, _as_image(img), pred,
                                      draw_gt=False, out_file=panel,
                                      title=f'{stem}: predictions')
            written.append(files + [panel])
        return written

    def postprocess(self, preds: List[MultiTaskDataSample],
                    visualization=None,
                    return_datasamples: bool = False) -> dict:
        if not return_datasamples:
            preds = [{
                name: pred.get(self.model.tasks[name].pred_key).cpu().numpy()
                for name in self.model.task_names
            } for pred in preds]
        return dict(predictions=preds, visualization=visualization)
