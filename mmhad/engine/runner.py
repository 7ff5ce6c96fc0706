"""mmengine's Runner with what the lifelong loop and hooks read of it in
public view."""
from typing import Optional

from mmengine.runner import Runner, find_latest_checkpoint

from mmhad.registry import RUNNERS


@RUNNERS.register_module()
class LifelongRunner(Runner):
    """The runner of lifelong training (``runner_type='LifelongRunner'``,
    set in ``configs/_base_/default_runtime.py``; ``tools/train.py`` and
    ``tools/test.py`` build it through ``RUNNERS``).

    It is mmengine's :class:`~mmengine.runner.Runner` with three public
    attributes the lifelong loop and hooks read and set, instead of the
    base class's private fields:

    Attributes:
        resume_run (bool): Whether this run continues an earlier one
            (``resume=True``); the loop sets it to ``False`` when the work
            dir holds no checkpoint to continue from.
        load_from (str, optional): The checkpoint loaded (or resumed from)
            before training or testing; with ``resume_run`` and no path,
            the loop picks the work dir's latest readable checkpoint.
        diff_rank_seed (bool): ``randomness.diff_rank_seed``: each process
            of a distributed run seeds its data sampler differently.
        lifelong_loop: The training loop once built (``None`` before).
    """

    def __init__(self, *args, **kwargs) -> None:
        self.resume_run = bool(kwargs.get('resume', False))
        self.load_from: Optional[str] = kwargs.get('load_from')
        randomness = kwargs.get('randomness') or {}
        self.diff_rank_seed = bool(randomness.get('diff_rank_seed', False))
        self.lifelong_loop = None
        self._checkpoint_loaded = False
        super().__init__(*args, **kwargs)

    def build_train_loop(self, loop):
        self.lifelong_loop = super().build_train_loop(loop)
        return self.lifelong_loop

    @property
    def current_phase(self) -> Optional[int]:
        """The phase (0-based) the training loop is in, ``None`` outside
        training."""
        return getattr(self.lifelong_loop, 'current_phase', None)

    def load_or_resume(self) -> None:
        """Load :attr:`load_from`, or resume from it with
        :attr:`resume_run`, once (mmengine's rule, on the public
        attributes; a resume without a path that the loop did not resolve
        takes mmengine's latest checkpoint)."""
        if self._checkpoint_loaded:
            return
        if self.resume_run and self.load_from is None:
            self.load_from = find_latest_checkpoint(self.work_dir)
            self.logger.info(
                f'Auto resumed from the latest checkpoint {self.load_from}.')
        if self.load_from is None:
            return
        if self.resume_run:
            self.resume(self.load_from)
        else:
            self.load_checkpoint(self.load_from)
        self._checkpoint_loaded = True
