"""Keep mmhad checkpoints loadable with ``torch.load(weights_only=True)``.

From PyTorch 2.6 on ``torch.load`` refuses arbitrary pickled objects, and
mmengine 0.10.7 puts its ``HistoryBuffer`` objects (whose state pickles
``builtins.getattr``) and numpy arrays in every checkpoint, so its own resume
and ``load_from`` fail. This hook stores the message hub's history buffers as
plain tensors when saving and rebuilds them after loading, so mmhad's
checkpoints load with a plain ``torch.load(weights_only=True)`` anywhere,
without any allow-list. (mmhad's own loader,
:mod:`mmhad.engine.safe_checkpoint_loader`, also reads mmengine's original
format through a narrow allow-list.)
"""
import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer

from mmhad.registry import HOOKS

_BUFFER_TAG = '__history_buffer__'


def _plain(value):
    """numpy scalars/arrays -> Python numbers / tensors, recursively."""
    if isinstance(value, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(value))
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


def buffers_to_tensors(message_hub_state: dict) -> dict:
    """Replace every ``HistoryBuffer`` of a message-hub state dict."""
    state = dict(message_hub_state)
    scalars = {}
    for key, buffer in state.get('log_scalars', {}).items():
        log, count = buffer.data
        scalars[key] = {
            _BUFFER_TAG: True,
            'log': torch.from_numpy(np.asarray(log, dtype=np.float64)),
            'count': torch.from_numpy(np.asarray(count, dtype=np.float64)),
            'max_length': int(buffer.max_length),
        }
    state['log_scalars'] = scalars
    state['runtime_info'] = _plain(state.get('runtime_info', {}))
    return state


def tensors_to_buffers(message_hub_state: dict) -> dict:
    """Inverse of :func:`buffers_to_tensors`."""
    state = dict(message_hub_state)
    scalars = {}
    for key, value in state.get('log_scalars', {}).items():
        if isinstance(value, dict) and value.get(_BUFFER_TAG):
            value = HistoryBuffer(value['log'].tolist(),
                                  value['count'].tolist(),
                                  value['max_length'])
        scalars[key] = value
    state['log_scalars'] = scalars
    return state


@HOOKS.register_module()
class WeightsOnlyCheckpointHook(Hook):
    """Save checkpoints that ``torch.load(weights_only=True)`` accepts."""

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = buffers_to_tensors(
                checkpoint['message_hub'])
        if 'meta' in checkpoint:
            checkpoint['meta'] = _plain(checkpoint['meta'])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = tensors_to_buffers(
                checkpoint['message_hub'])
