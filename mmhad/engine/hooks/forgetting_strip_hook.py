"""Draw the forgetting strip when a run ends."""
import os.path as osp
from typing import Sequence

from mmengine.dist import master_only
from mmengine.hooks import Hook

from mmhad.registry import HOOKS
from ..work_dir import phase_checkpoints


@HOOKS.register_module()
class ForgettingStripHook(Hook):
    """After training, write :func:`mmhad.visualization.strips` of a few
    validation images to ``<work_dir>/<out_dir>``: each task's prediction
    after every phase, from the run's phase checkpoints, as one labelled
    figure per image (a row per task, titled; columns "input", "ground
    truth", "after phase t (learnt <task>)" with the prediction's metric
    under it; the dataset's class legend or a colour bar with the unit
    beside each row; cells upscaled to at least 200 px high).

    Args:
        images (Sequence[int]): Validation image indices.
        out_dir (str): Folder inside the work dir.
    """

    priority = 'LOWEST'

    def __init__(self, images: Sequence[int] = (0, ),
                 out_dir: str = 'forgetting') -> None:
        self.images = list(images)
        self.out_dir = out_dir

    @master_only
    def after_train(self, runner) -> None:
        from mmhad.visualization import strips
        if runner.val_loop is None or not phase_checkpoints(runner.work_dir):
            return  # nothing to draw from
        paths = strips(runner.work_dir, self.images,
                       osp.join(runner.work_dir, self.out_dir))
        runner.logger.info(f'Forgetting strips: {", ".join(paths)}')
