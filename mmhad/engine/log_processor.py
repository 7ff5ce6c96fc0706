from mmengine.runner import LogProcessor

from mmhad.registry import LOG_PROCESSORS


@LOG_PROCESSORS.register_module()
class LifelongLogProcessor(LogProcessor):
    """mmengine's log processor, with the phase in front of training lines.

    ``Phase(2/3 depth, epoch 2/10) Epoch(train) [12][4/9] ... eta: ...
    loss_new.depth: ...``; mmengine's epoch counter runs across phases,
    the phase's own epoch is in the prefix.
    """

    def get_log_after_iter(self, runner, batch_idx: int, mode: str):
        tag, log_str = super().get_log_after_iter(runner, batch_idx, mode)
        loop = runner.train_loop if mode == 'train' else None
        phase = getattr(loop, 'current_phase', None)
        if phase is not None:
            epoch = runner.epoch - phase * loop.epochs_per_phase + 1
            log_str = (f'Phase({phase + 1}/{loop.num_phases} '
                       f'{"+".join(loop.phases[phase])}, epoch '
                       f'{epoch}/{loop.epochs_per_phase}) {log_str}')
        return tag, log_str
