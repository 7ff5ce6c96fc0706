"""Refuse a checkpoint of another model before the runner loads it.

mmengine's ``Runner.load_checkpoint`` loads the state dict with
``strict=False``: a checkpoint of another model (a pretraining backbone,
another project's file) given as ``load_from`` or to ``tools/test.py``
would load no weight and evaluate or train the model as initialised,
with only a list of missing keys in the log.
"""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmhad.engine.safe_checkpoint_loader import check_weights_fit
from mmhad.registry import HOOKS


@HOOKS.register_module()
class CheckpointFitHook(Hook):
    """Raise, naming the file, when a loaded checkpoint holds none of the
    model's weights (see :func:`check_weights_fit`)."""

    priority = 'VERY_HIGH'

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        check_weights_fit(model.state_dict(), checkpoint,
                          runner.cfg.get('load_from') or 'the checkpoint')
