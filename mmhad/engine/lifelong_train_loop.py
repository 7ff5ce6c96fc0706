"""The phase loop of lifelong learning."""
import copy
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

from mmengine.dataset import BaseDataset
from mmengine.dist import broadcast_object_list, is_main_process
from mmengine.model import is_model_wrapper
from mmengine.runner import EpochBasedTrainLoop, find_latest_checkpoint

from mmhad.datasets import PhaseSubset, split_phases
from mmhad.registry import DATASETS, LOOPS
from .runner import LifelongRunner
from .safe_checkpoint_loader import safe_load
from .work_dir import (find_resume_checkpoint, is_readable_checkpoint,
                       phase_checkpoint_name)

OPTIMIZER_POLICIES = ('rebuild', 'extend')
DATA_CHECKS = ('auto', 'values', 'headers', 'off')


@LOOPS.register_module()
class LifelongTrainLoop(EpochBasedTrainLoop):
    """Train one phase per entry of ``task_order``, ``max_epochs`` each.

    For each phase the loop

    1. gives the phase its own training images (``split``), loading only the
       labels of the phase's task;
    2. lets the method begin the phase: it snapshots the frozen teacher (for
       methods that distil) and adds the new task's head;
    3. gives the new head, and what components built with it (Piggyback's
       mask scores), to the optimizer (``optimizer_policy``) and, in
       distributed runs, re-wraps the model so DDP knows the new parameters;
    4. trains ``max_epochs`` epochs;
    5. evaluates every task seen so far on the validation set, calls the
       ``after_phase`` hooks (which record the task x phase results), and
       saves ``phase_<t>_<task>.pth``, which is never overwritten.

    Epochs and iterations count across phases (phase = epoch // max_epochs),
    so all state is derivable from mmengine's counters.

    Args:
        runner (Runner): The runner.
        dataloader (dict): Train dataloader config over the *whole* training
            set; the loop builds one dataloader per phase from it.
        task_order (Sequence[str | Sequence[str]]): Task of each phase; an
            entry may list several tasks learnt together (joint training).
        max_epochs (int): Epochs per phase.
        split (str): How the training set is cut into phases, see
            :func:`mmhad.datasets.split_phases` (``'contiguous'`` is the
            reference protocol).
        split_seed (int): Seed of the ``'shuffled'`` split.
        optimizer_policy (str): ``'rebuild'``: a fresh optimizer (and
            parameter schedulers) at each phase, over all current parameters;
            ``'extend'``: keep the optimizer state and add each new task's
            parameters (its head's and those its components built for it)
            as a parameter group.
        val_interval (int): Also validate every ``val_interval`` epochs inside
            a phase; 0 validates only at phase ends.
        save_phase_checkpoints (bool): Save ``phase_<t>_<task>.pth``.
        check_data (str): Before the first iteration, check the files every
            phase and the validation will read
            (:mod:`mmhad.datasets.data_check`): ``'headers'`` (shapes,
            dtypes, truncation, sizes), ``'values'`` (also NaN/inf, label
            ranges, image range: every file is loaded once), ``'auto'``
            (values for splits of at most ``check_values_limit`` samples,
            headers above) or ``'off'``.
        check_values_limit (int): Largest split whose values ``'auto'``
            checks.
    """

    def __init__(self,
                 runner,
                 dataloader: dict,
                 task_order: Sequence[Union[str, Sequence[str]]],
                 max_epochs: int,
                 split: str = 'contiguous',
                 split_seed: int = 0,
                 optimizer_policy: str = 'rebuild',
                 val_interval: int = 0,
                 save_phase_checkpoints: bool = True,
                 check_data: str = 'auto',
                 check_values_limit: int = 5000) -> None:
        if not isinstance(runner, LifelongRunner):
            raise TypeError(
                f'LifelongTrainLoop runs under a LifelongRunner, got '
                f'{type(runner).__name__}: set runner_type=\'LifelongRunner\' '
                '(configs/_base_/default_runtime.py does) and build the '
                'runner with mmhad.registry.RUNNERS.build(cfg) or '
                'LifelongRunner.from_cfg(cfg)')
        if not isinstance(dataloader, dict):
            raise TypeError('LifelongTrainLoop needs the train dataloader as '
                            'a '
                            'config dict, to build one loader per phase')
        if runner.cfg.get('compile'):
            # mmengine compiles train_step, the optimizer step included,
            # once for the whole run: on the tiny 3-phase test run that
            # diverged from eager training in phase 3.
            raise ValueError(
                f'the top-level compile={runner.cfg.compile!r} compiles '
                "mmengine's whole train_step once; lifelong training "
                'compiles per phase: set model.compile=True (or a dict of '
                'torch.compile arguments) and remove the top-level compile')
        if optimizer_policy not in OPTIMIZER_POLICIES:
            raise ValueError(f'optimizer_policy must be one of '
                             f'{OPTIMIZER_POLICIES}, got {optimizer_policy!r}')
        if not task_order:
            raise ValueError('task_order is empty')
        if check_data not in DATA_CHECKS:
            raise ValueError(f'check_data must be one of {DATA_CHECKS}, got '
                             f'{check_data!r}')
        self.check_data = check_data
        self.check_values_limit = check_values_limit
        self.phases: List[List[str]] = [[t] if isinstance(t, str) else list(t)
                                        for t in task_order]
        self.epochs_per_phase = int(max_epochs)
        self.optimizer_policy = optimizer_policy
        self.save_phase_checkpoints = save_phase_checkpoints
        self.current_phase: Optional[int] = None  # 0-based
        self._resumed_meta: dict = {}  # meta of the checkpoint resumed from

        self.dataset = self._build_dataset(dataloader['dataset'])
        self._check_tasks(runner)
        self.phase_indices = split_phases(
            len(self.dataset), len(self.phases), split, split_seed)
        loader_cfg = {k: v for k, v in dataloader.items() if k != 'dataset'}
        self.phase_loaders = [
            runner.build_dataloader(
                dict(loader_cfg,
                     dataset=PhaseSubset(self.dataset, idx, tasks)),
                seed=runner.seed,
                diff_rank_seed=runner.diff_rank_seed)
            for idx, tasks in zip(self.phase_indices, self.phases)
        ]
        # The runner builds the optimizer and schedulers right after this
        # loop; keep their configs to rebuild them at each phase.
        self._optim_wrapper_cfg = copy.deepcopy(runner.optim_wrapper) \
            if isinstance(runner.optim_wrapper, dict) else None
        self._param_scheduler_cfg = copy.deepcopy(runner.param_schedulers) \
            if isinstance(runner.param_schedulers, (dict, list)) else None

        super().__init__(
            runner,
            self.phase_loaders[0],
            max_epochs=self.epochs_per_phase * len(self.phases),
            val_interval=val_interval or self.epochs_per_phase)
        self.val_interval = val_interval
        self._max_iters = self.epochs_per_phase * sum(
            len(loader) for loader in self.phase_loaders)
        self._check_batches()
        self._prepare_resume()

    # ------------------------------------------------------------- set-up
    @staticmethod
    def _build_dataset(cfg) -> BaseDataset:
        dataset = DATASETS.build(cfg) if isinstance(cfg, dict) else cfg
        if hasattr(dataset, 'full_init'):
            dataset.full_init()
        return dataset

    @property
    def model(self):
        """The method being trained, without its DDP wrapper."""
        model = self.runner.model
        return model.module if is_model_wrapper(model) else model

    def _check_tasks(self, runner) -> None:
        """Give the model the tasks the training set declares (unless it
        knows them already, when they must agree), then check
        ``task_order`` against both."""
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        declared = getattr(self.dataset, 'metainfo', {}).get('tasks')
        if declared:
            model.set_tasks(declared)
        elif not getattr(model, 'tasks', None):
            raise ValueError(
                'no task is declared: give the training set its tasks '
                "(train_dataloader.dataset.tasks=dict(semantic=dict(type="
                "'SemanticTask', num_classes=...), ...))")
        known = getattr(model, 'tasks', {})
        available = getattr(self.dataset, 'task_names', None)
        seen = set()
        for phase, tasks in enumerate(self.phases, 1):
            for task in tasks:
                if task not in known:
                    raise KeyError(
                        f'task_order phase {phase} names task {task!r}, '
                        f'which the training set does not declare (it '
                        f'declares {sorted(known)})')
                if available is not None and task not in available:
                    raise KeyError(
                        f'task_order phase {phase} names task {task!r}, but '
                        f'the training set only loads {available} '
                        '(train_dataloader.dataset.task_names)')
                if task in seen:
                    raise ValueError(f'task {task!r} appears twice in '
                                     f'task_order {self.phases}')
                seen.add(task)

    def _check_batches(self) -> None:
        """Fail before training on a phase without a full batch, or with a
        batch of one image where BatchNorm cannot train on it."""
        batch_norm = self.model.architecture.uses_batch_norm
        for phase, (loader, tasks) in enumerate(
                zip(self.phase_loaders, self.phases), 1):
            images = len(loader.sampler)  # this process's share
            size = loader.batch_size
            if len(loader) == 0:
                raise ValueError(
                    f'phase {phase} ({"+".join(tasks)}) has {images} training '
                    f'images per process, fewer than one batch of {size} '
                    '(drop_last=True): lower train_dataloader.batch_size or '
                    'give the phase more images')
            last = images % size if not loader.drop_last else 0
            if batch_norm and 1 in (size, last):
                where = 'every batch' if size == 1 else 'its last batch'
                raise ValueError(
                    f'phase {phase} ({"+".join(tasks)}) would train '
                    f'{where} on one image ({images} images, batch_size '
                    f'{size}); BatchNorm cannot (the ASPP image-pool branch '
                    'sees one value per channel). Set train_dataloader.'
                    'drop_last=True or another batch_size, or use GroupNorm')

    def _prepare_resume(self) -> None:
        """Pick the checkpoint a resumed run continues from and grow the
        heads it holds.

        Without ``--resume-from``, the latest readable checkpoint of the
        work dir itself (:func:`find_resume_checkpoint`): an epoch
        checkpoint, or the last finished phase's checkpoint when none is
        later. The runner builds the optimizer before it loads a
        checkpoint; the heads saved in it must exist by then for the
        optimizer state to fit.
        """
        runner = self.runner
        if not runner.resume_run:
            return
        if runner.load_from is None:
            path = find_resume_checkpoint(runner.work_dir,
                                          self.epochs_per_phase, runner.logger)
            if path is None:
                runner.logger.info(f'--resume: no checkpoint in '
                                   f'{runner.work_dir}; starting from phase 1')
                runner.resume_run = False
                return
            runner.logger.info(f'--resume: continuing from {path}')
            runner.load_from = path
        state = safe_load(runner.load_from, map_location='cpu')
        self._resumed_meta = state.get('meta', {})
        self.model.add_tasks_of(state['state_dict'])

    # ------------------------------------------------------------- phases
    @property
    def num_phases(self) -> int:
        return len(self.phases)

    def phase_checkpoint(self, phase_idx: int) -> str:
        """Path of the checkpoint of phase ``phase_idx`` (0-based)."""
        return osp.join(
            self.runner.work_dir,
            phase_checkpoint_name(phase_idx + 1, self.phases[phase_idx]))

    def run(self):
        self._check_data_files()
        self.runner.call_hook('before_train')
        self._finish_interrupted_phase_end()
        if self._epoch >= self._max_epochs:
            self.runner.logger.info(
                f'All {self.num_phases} phases of this run are already '
                f'trained; nothing to do (results: {self.runner.work_dir})')
        while self._epoch < self._max_epochs and not self.stop_training:
            phase_idx = self._epoch // self.epochs_per_phase
            if phase_idx != self.current_phase:
                self._begin_phase(phase_idx)
            self.run_epoch()
            epoch_in_phase = self._epoch - phase_idx * self.epochs_per_phase
            if epoch_in_phase == self.epochs_per_phase:
                self._end_phase(phase_idx)
            elif (self.val_interval and self.runner.val_loop is not None
                  and epoch_in_phase % self.val_interval == 0):
                self.runner.val_loop.run()
        self.runner.call_hook('after_train')
        return self.runner.model

    def _check_data_files(self) -> None:
        """Have every phase's training data and the validation set check
        their files before the first iteration (each dataset's
        ``check_files``, :class:`~mmhad.datasets.data_check.FileCheckMixin`;
        datasets without one are not checked); the main process reads,
        every process raises."""
        if self.check_data == 'off':
            return
        error = [None]
        if is_main_process():
            try:
                for split, dataset, indices, names in self._check_splits():
                    values = self.check_data == 'values' or (
                        self.check_data == 'auto'
                        and len(indices) <= self.check_values_limit)
                    dataset.check_files(split, indices, names,
                                        self.model.tasks, values,
                                        self.runner.logger)
            except ValueError as err:
                error = [str(err)]
        broadcast_object_list(error)
        if error[0] is not None:
            raise ValueError(error[0])

    def _check_splits(self) -> List[tuple]:
        """``(split name, dataset, indices, task names)`` to check."""
        splits = [(f'train phase {phase} ({"+".join(tasks)})', self.dataset,
                   list(indices), tasks)
                  for phase, (indices, tasks) in enumerate(
                      zip(self.phase_indices, self.phases), 1)]
        val_loop = self.runner.val_loop
        if val_loop is not None:
            dataset = val_loop.dataloader.dataset
            splits.append(('validation', dataset, list(range(len(dataset))),
                           list(getattr(dataset, 'task_names', []))))
        return [split for split in splits
                if hasattr(split[1], 'check_files') and split[2]]

    def _phase_end_done(self, phase_idx: int) -> bool:
        # Resumed from that phase's checkpoint (of this run or, with
        # --resume-from, another), or its checkpoint, the last thing a phase
        # end writes, is complete.
        if self._resumed_meta.get('phase') == phase_idx + 1:
            return True
        return self.save_phase_checkpoints and is_readable_checkpoint(
            self.phase_checkpoint(phase_idx))

    def _finish_interrupted_phase_end(self) -> None:
        """Redo the end of a phase whose last epoch checkpoint was saved but
        whose evaluation, results or phase checkpoint were not (a kill at
        the phase boundary, or while the phase checkpoint was written)."""
        if self._epoch == 0 or self._epoch % self.epochs_per_phase:
            return
        phase_idx = self._epoch // self.epochs_per_phase - 1
        if self._phase_end_done(phase_idx):
            return
        self.runner.logger.warning(
            f'Resumed at the end of phase {phase_idx + 1}, whose end of '
            'phase (evaluation, results, phase checkpoint) did not finish: '
            'doing it now')
        self._begin_phase(phase_idx, resumed=True)
        self._end_phase(phase_idx)

    def _begin_phase(self, phase_idx: int, resumed: bool = False) -> None:
        """Set up phase ``phase_idx`` (0-based); ``resumed``: the phase was
        begun before this process (a resume inside it or at its end), so its
        heads and optimizer exist and its teacher comes from disk."""
        runner = self.runner
        tasks = self.phases[phase_idx]
        resumed = resumed or self._epoch % self.epochs_per_phase != 0
        teacher_state = None
        if resumed and phase_idx > 0 and self.model.needs_teacher:
            teacher_state = self._load_teacher_state(phase_idx - 1)
        added = self.model.begin_phase(phase_idx + 1, tasks, teacher_state,
                                       self.phase_loaders[phase_idx])
        if added and is_model_wrapper(runner.model):
            runner.model = runner.wrap_model(
                runner.cfg.get('model_wrapper_cfg'), self.model)
        if not resumed:
            self._update_optimizer(added)
            self._forget_loss_logs()
        self.dataloader = self.phase_loaders[phase_idx]
        self.current_phase = phase_idx
        indices = self.phase_indices[phase_idx]
        teacher = (f'frozen phase-{phase_idx} model'
                   if self.model.teacher is not None else 'none')
        runner.logger.info(
            f'Phase {phase_idx + 1}/{self.num_phases}: learning '
            f'{"+".join(tasks)} on {len(indices)} training images (indices '
            f'{indices.min()}..{indices.max()}), heads '
            f'{self.model.task_names}, teacher: {teacher}, '
            f'{self.epochs_per_phase} epochs of {len(self.dataloader)} iters')
        runner.call_hook('before_phase', phase=phase_idx + 1, tasks=tasks)

    def run_iter(self, idx, data_batch) -> None:
        try:
            super().run_iter(idx, data_batch)
        except FloatingPointError as err:
            # Raised by the loss before the optimizer step: the weights and
            # every checkpoint on disk are still the last good ones.
            phase = self.current_phase
            latest = find_latest_checkpoint(self.runner.work_dir) or next(
                (self.phase_checkpoint(p) for p in reversed(range(phase))
                 if osp.isfile(self.phase_checkpoint(p))), 'none yet')
            raise type(err)(
                f'{err} in phase {phase + 1}/{self.num_phases} '
                f'({"+".join(self.phases[phase])}), epoch {self._epoch + 1}, '
                f'iteration {idx + 1}/{len(self.dataloader)} (global '
                f'{self._iter + 1}); training stopped before the update. '
                f'Last checkpoint: {latest}') from err

    def _forget_loss_logs(self) -> None:
        # The message hub keeps the last value of every loss key it saw; a
        # previous phase's terms would be printed as if they were current.
        scalars = self.runner.message_hub.log_scalars
        for key in [k for k in scalars
                    if k.startswith('train/') and 'loss' in k]:
            del scalars[key]

    def _load_teacher_state(self, phase_idx: int) -> Dict:
        path = self.phase_checkpoint(phase_idx)
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'resuming inside phase {phase_idx + 2} needs the teacher '
                f'saved at the end of phase {phase_idx + 1}: {path} is '
                'missing')
        return safe_load(path, map_location='cpu')['state_dict']

    def _update_optimizer(self, added: Sequence[Sequence]) -> None:
        """Give the optimizer what was built for the phase's new tasks
        (``added``: per task, its head's and its components' new
        parameters)."""
        runner = self.runner
        if (self.optimizer_policy == 'extend'
                or self._optim_wrapper_cfg is None):
            for params in added:
                runner.optim_wrapper.optimizer.add_param_group(
                    {'params': list(params)})
            return
        runner.optim_wrapper = runner.build_optim_wrapper(
            copy.deepcopy(self._optim_wrapper_cfg))
        if self._param_scheduler_cfg is not None:
            runner.param_schedulers = runner.build_param_scheduler(
                copy.deepcopy(self._param_scheduler_cfg))
        runner.optim_wrapper.initialize_count_status(runner.model, self._iter,
                                                     self._max_iters)

    def _end_phase(self, phase_idx: int) -> None:
        runner = self.runner
        tasks = self.phases[phase_idx]
        # Before evaluation and saving: what a method estimates on the
        # phase's data (EWC's Fisher, ...) belongs in the phase checkpoint.
        self.model.end_phase(self.dataloader)
        metrics = {}
        if runner.val_loop is not None:
            metrics = runner.val_loop.run()
        else:
            runner.logger.warning('no val_dataloader: phase results are not '
                                  'evaluated')
        runner.call_hook(
            'after_phase', phase=phase_idx + 1, tasks=tasks, metrics=metrics)
        if self.save_phase_checkpoints:
            self._save_phase_checkpoint(phase_idx)

    def _save_phase_checkpoint(self, phase_idx: int) -> None:
        runner = self.runner
        path = self.phase_checkpoint(phase_idx)
        partial = path + '.partial'
        # Written under another name and renamed: a kill while writing
        # leaves no truncated phase checkpoint behind, only a .partial file.
        # The epoch counter has already moved past the phase's last epoch,
        # so pass it: mmengine would otherwise save epoch + 1.
        runner.save_checkpoint(
            runner.work_dir,
            osp.basename(partial),
            meta=dict(
                epoch=self._epoch,
                iter=self._iter,
                phase=phase_idx + 1,
                phase_tasks=list(self.phases[phase_idx])),
            save_optimizer=True,
            save_param_scheduler=True)
        if is_main_process():
            os.replace(partial, path)
        runner.logger.info(f'Phase {phase_idx + 1} checkpoint: {path}')
