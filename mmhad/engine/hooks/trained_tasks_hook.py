"""Give a model the tasks of the checkpoint it is about to load."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmhad.registry import HOOKS
from mmhad.tasks import trained_tasks


@HOOKS.register_module()
class TrainedTasksHook(Hook):
    """Before a loaded checkpoint's weights go into the model, give the
    model the tasks that checkpoint was trained on (its meta, else the
    config's datasets: :func:`~mmhad.tasks.trained_tasks`), so that their
    heads exist to take the weights: what :func:`mmhad.apis.init_model`
    does, for ``tools/test.py``, from the one read of the file the runner
    makes anyway.

    Training does not use it: there the lifelong loop gives the model the
    training set's tasks, phase by phase.
    """

    priority = 'VERY_HIGH'

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        model.set_tasks(trained_tasks(runner.cfg, checkpoint))
