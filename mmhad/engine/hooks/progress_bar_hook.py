"""A progress bar over the training iterations that remain."""
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.utils import ProgressBar

from mmhad.registry import HOOKS


@HOOKS.register_module()
class ProgressBarHook(Hook):
    """Draw mmengine's ``ProgressBar`` (done / total, rate, ETA) over the
    iterations left to train, on the main process.

    The logger's lines say the loss; the bar says how long is left, also
    right after a resume (it counts from the resumed iteration).
    """

    priority = 'VERY_LOW'

    def before_train(self, runner) -> None:
        self.bar = None
        left = runner.max_iters - runner.iter
        if is_main_process() and left > 0:
            self.bar = ProgressBar(left)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if self.bar is not None:
            self.bar.update()

    def after_train(self, runner) -> None:
        if self.bar is not None:
            self.bar.file.write('\n')
            self.bar.file.flush()
