"""Send predictions of validation and test images to the visualizer."""
import os
import os.path as osp
from typing import Optional, Sequence

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmhad.registry import HOOKS


@HOOKS.register_module()
class MultiTaskVisualizationHook(Hook):
    """Draw every ``interval``-th validation / test image with
    :class:`MultiTaskVisualizer`: one labelled figure per image, a row per
    task (input, ground truth, prediction with its metric, error; the
    dataset's class names or a colour bar with the unit beside it), titled
    with the image and the phase. The runner's visualizer if it is one,
    else one that writes to the runner's vis backends with the dataset
    meta (class names) the runner's loops give its visualizer.

    During training the pictures go to the vis backends tagged with the
    phase (``phase<t>_<image>``), so TensorBoard shows the same images after
    every phase; in testing (``tools/test.py --show-dir DIR``) they are
    written to ``out_dir``.

    Args:
        interval (int): Draw one image in this many.
        out_dir (str, optional): Write test pictures here instead of
            sending them to the backends.
    """

    priority = 'NORMAL'

    def __init__(self, interval: int = 50,
                 out_dir: Optional[str] = None) -> None:
        self.interval = interval
        self.out_dir = out_dir
        self._own = None

    def _visualizer(self, runner):
        """The runner's visualizer if it draws multi-task samples, else a
        :class:`MultiTaskVisualizer` of its own, without backends (its
        pictures go through the runner's visualizer)."""
        from mmhad.visualization import MultiTaskVisualizer
        if isinstance(runner.visualizer, MultiTaskVisualizer):
            return runner.visualizer
        if self._own is None:
            self._own = MultiTaskVisualizer(
                name=f'multitask_{runner.experiment_name}')
        # the val / test loop hands the runner's visualizer the dataset's
        # meta (class names, palette) when it starts: follow it, with the
        # model's own tasks, whose predictions these are
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        self._own.dataset_meta = dict(runner.visualizer.dataset_meta or {},
                                      tasks=dict(model.tasks))
        return self._own

    def _draw(self, runner, batch_idx: int, data_batch: dict,
              outputs: Sequence, out_dir: Optional[str]) -> None:
        visualizer = self._visualizer(runner)
        for offset, sample in enumerate(outputs):
            # the dataset index: the same images after every phase
            index = sample.metainfo.get('sample_idx',
                                        batch_idx * len(outputs) + offset)
            if index % self.interval:
                continue
            image = data_batch['inputs'][offset].permute(1, 2, 0).cpu()
            path = sample.metainfo.get('img_path') or f'{index}'
            stem = osp.splitext(osp.basename(str(path)))[0]
            # the lifelong loop's phase (0-based) while training, else none
            current = runner.current_phase
            phase = None if current is None else current + 1
            # no '/': LocalVisBackend writes the tag as a file name
            name = f'phase{phase}_{stem}' if phase else stem
            title = f'image {stem} after phase {phase}' if phase else \
                f'image {stem}'
            out_file = None
            if out_dir is not None:
                os.makedirs(out_dir, exist_ok=True)
                out_file = osp.join(out_dir, f'{stem}.png')
            step = phase or runner.epoch
            picture = visualizer.add_datasample(
                name, image.numpy(), sample, out_file=out_file, step=step,
                title=title)
            if out_file is None and visualizer is not runner.visualizer:
                runner.visualizer.add_image(name, picture, step)

    def after_val_iter(self, runner, batch_idx: int, data_batch=None,
                       outputs=None) -> None:
        self._draw(runner, batch_idx, data_batch, outputs, None)

    def after_test_iter(self, runner, batch_idx: int, data_batch=None,
                        outputs=None) -> None:
        self._draw(runner, batch_idx, data_batch, outputs, self.out_dir)
