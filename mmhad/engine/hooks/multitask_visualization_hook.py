"""Send predictions of validation and test images to the visualizer."""
import os
import os.path as osp
from typing import Optional, Sequence

from mmengine.hooks import Hook

from mmhad.registry import HOOKS


@HOOKS.register_module()
class MultiTaskVisualizationHook(Hook):
    """Draw every ``interval``-th validation / test image with
    :class:`MultiTaskVisualizer` (input, then gt | pred per task).

    During training the pictures go to the vis backends tagged with the
    phase (``phase<t>/<image>``), so TensorBoard shows the same images after
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

    def _draw(self, runner, batch_idx: int, data_batch: dict,
              outputs: Sequence, out_dir: Optional[str]) -> None:
        visualizer = runner.visualizer
        first = batch_idx * len(outputs)
        for offset, sample in enumerate(outputs):
            index = first + offset
            if index % self.interval:
                continue
            image = data_batch['inputs'][offset].permute(1, 2, 0).cpu()
            path = sample.metainfo.get('img_path') or f'{index}'
            stem = osp.splitext(osp.basename(str(path)))[0]
            # the lifelong loop's phase (0-based) while training, else none
            current = getattr(runner._train_loop, 'current_phase', None)
            phase = None if current is None else current + 1
            name = f'phase{phase}/{stem}' if phase else stem
            out_file = None
            if out_dir is not None:
                os.makedirs(out_dir, exist_ok=True)
                out_file = osp.join(out_dir, f'{stem}.png')
            visualizer.add_datasample(name, image.numpy(), sample,
                                      out_file=out_file,
                                      step=phase or runner.epoch)

    def after_val_iter(self, runner, batch_idx: int, data_batch=None,
                       outputs=None) -> None:
        self._draw(runner, batch_idx, data_batch, outputs, None)

    def after_test_iter(self, runner, batch_idx: int, data_batch=None,
                        outputs=None) -> None:
        self._draw(runner, batch_idx, data_batch, outputs, self.out_dir)
