"""Save the random number generators' state with every checkpoint.

mmengine re-seeds on resume but does not restore the generators' state, so
a resumed run draws different dropout masks and augmentations than the run
it continues. With this hook a run killed and resumed from an epoch
checkpoint continues exactly as the uninterrupted run would have.
"""
import random

import numpy as np
import torch
from mmengine.hooks import Hook

from mmhad.registry import HOOKS


def capture_rng_state() -> dict:
    """State of Python's, numpy's and torch's generators, as tensors and
    plain values (loadable with ``weights_only=True``)."""
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    state = dict(
        python=random.getstate(),
        numpy=dict(
            kind=kind,
            keys=torch.from_numpy(keys.astype(np.int64)),
            pos=int(pos),
            has_gauss=int(has_gauss),
            gauss=float(gauss)),
        torch=torch.get_rng_state())
    if torch.cuda.is_available():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict) -> None:
    """Inverse of :func:`capture_rng_state`."""
    version, internal, gauss = state['python']
    random.setstate((version, tuple(internal), gauss))
    np_state = state['numpy']
    np.random.set_state(
        (np_state['kind'], np_state['keys'].numpy().astype(np.uint32),
         np_state['pos'], np_state['has_gauss'], np_state['gauss']))
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Put :func:`capture_rng_state` in checkpoints and restore it on load."""

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        checkpoint['rng_state'] = capture_rng_state()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        # Only a resumed run continues the saved one; load_from just starts
        # from its weights.
        if runner.resume_run and 'rng_state' in checkpoint:
            restore_rng_state(checkpoint['rng_state'])
