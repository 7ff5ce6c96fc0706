"""Exemplar replay: a small memory of earlier phases' images (iCaRL / DER
style). Unlike the exemplar-free protocol of the paper, these baselines keep
images of earlier phases."""
from typing import Dict, Iterable, List, Optional, Sequence

import torch
from torch import Tensor

from mmhad.registry import MODELS
from mmhad.structures import MultiTaskDataSample, stack_task_field
from mmhad.utils.knobs import COUNT, NON_NEGATIVE
from .base import LossComponent

REPLAY_TARGETS = ('label', 'output')


@MODELS.register_module()
class ExemplarReplay(LossComponent):
    """Rehearse a fixed-size memory of images from earlier phases.

    At the end of each phase, ``memory_size / t`` images of the phase are
    drawn at random (after t phases every phase keeps an equal share; older
    shares shrink) and stored with either

    * ``target='label'``: their ground truth for the phase's tasks (replay,
      the rehearsal part of iCaRL; no nearest-mean classifier, which has no
      dense-regression counterpart), rehearsed with each task's supervised
      loss; or
    * ``target='output'``: the model's predictions of every task learned so
      far (DER), rehearsed with each task's
      :meth:`~mmhad.tasks.DenseTask.soft_pixel_loss`.

    Each step adds ``loss_replay.<task>`` on ``replay_batch_size`` memory
    images. The memory is part of the ``state_dict`` (``_extra_state``), so
    phase checkpoints carry it (it grows checkpoints by the images' size).

    Args:
        memory_size (int): Images kept over all earlier phases.
        replay_batch_size (int): Memory images rehearsed per step.
        target (str): ``'label'`` or ``'output'`` (see above).
        loss_weight (float): Weight of the rehearsal terms.
    """

    kind = 'rehearse'

    KNOBS = dict(memory_size=COUNT, replay_batch_size=COUNT,
                 loss_weight=NON_NEGATIVE)

    #: Old names of knobs, still accepted (with a warning).
    RENAMED = dict(replay_weight='loss_weight')

    def __init__(self,
                 memory_size: int = 64,
                 replay_batch_size: int = 8,
                 target: str = 'label',
                 loss_weight: float = 1.0,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        if target not in REPLAY_TARGETS:
            raise ValueError(f'target must be one of {REPLAY_TARGETS}, '
                             f'got {target!r}')
        if memory_size < 1 or replay_batch_size < 1:
            raise ValueError('memory_size and replay_batch_size must be >= 1')
        self.memory_size = memory_size
        self.replay_batch_size = replay_batch_size
        self.target = target
        self.loss_weight = loss_weight
        #: One entry per earlier phase: ``inputs`` (M, 3, H, W) normalised
        #: images and ``targets`` {task: tensor (M, ...)}.
        self.memory: List[Dict] = []

    # -------------------------------------------------------------- memory
    def end_phase(self, dataloader: Iterable) -> None:
        share = self.memory_size // (len(self.memory) + 1)
        for entry in self.memory:  # older phases give up room
            entry['inputs'] = entry['inputs'][:share]
            entry['targets'] = {
                k: v[:share] for k, v in entry['targets'].items()
            }
        inputs, targets = [], {}
        algorithm = self.algorithm
        was_training = algorithm.training
        algorithm.eval()
        for data in dataloader:
            if sum(len(x) for x in inputs) >= share:
                break
            data = algorithm.data_preprocessor(data, False)
            batch_targets = self._targets(data['inputs'],
                                          data['data_samples'])
            inputs.append(data['inputs'].detach())
            for name, value in batch_targets.items():
                targets.setdefault(name, []).append(value.detach())
        algorithm.train(was_training)
        if not inputs:
            return
        # the loader is shuffled, so its first images are a random draw
        self.memory.append(
            dict(
                inputs=torch.cat(inputs)[:share],
                targets={k: torch.cat(v)[:share]
                         for k, v in targets.items()}))

    def _targets(self, inputs: Tensor,
                 data_samples: Sequence[MultiTaskDataSample]
                 ) -> Dict[str, Tensor]:
        if self.target == 'label':
            return {
                name: stack_task_field(data_samples,
                                       self.tasks[name].gt_key)
                for name in self.new_tasks
            }
        with torch.no_grad():
            return self.algorithm.predict_tasks(inputs)

    # -------------------------------------------------------------- losses
    def losses(self, step) -> Dict[str, Tensor]:
        inputs = step.inputs
        losses = {}
        for name in self._memory_tasks():
            entries = [e for e in self.memory if name in e['targets']]
            pool = torch.cat([e['inputs'] for e in entries])
            stored = torch.cat([e['targets'][name] for e in entries])
            pick = torch.randperm(len(pool))[:self.replay_batch_size]
            replayed = pool[pick].to(inputs.device)
            target = stored[pick].to(inputs.device)
            pred = self.algorithm.predict_tasks(replayed, [name])[name]
            task = self.tasks[name]
            if self.target == 'label':
                loss = task.loss(pred, target)
            else:
                loss = task.soft_pixel_loss(pred, target).mean()
            losses[f'loss_replay.{name}'] = self.loss_weight * loss
        return losses

    def _memory_tasks(self) -> List[str]:
        names = []
        for entry in self.memory:
            names += [n for n in entry['targets'] if n not in names]
        return names

    # ---------------------------------------------------------- checkpoints
    def get_extra_state(self) -> dict:
        return dict(memory=self.memory)

    def set_extra_state(self, state: dict) -> None:
        self.memory = list(state.get('memory', []))
