"""Load local checkpoints with ``torch.load(weights_only=True)`` only.

mmengine 0.10.7 loads checkpoints with a bare ``torch.load``. Before PyTorch
2.6 that unpickled anything (a checkpoint could run code); from 2.6 on it
refuses mmengine's own checkpoints, whose message hub holds
``HistoryBuffer`` objects and numpy arrays. This loader replaces mmengine's
local-file scheme (used by ``load_from``, ``--resume`` and
``load_checkpoint``) and allow-lists exactly what mmengine and mmhad put in
a checkpoint:

* ``HistoryBuffer``, numpy arrays, dtypes and scalars;
* ``getattr``, but only as ``HistoryBuffer`` pickles it: to look up one of
  its registered statistics methods (``mean``, ``max``, ...) on the class.
  A general ``getattr`` would let a crafted file reach any function.

Anything else is refused before it is built, with the file and the refused
global named; ``weights_only`` is never switched off.
"""
import os.path as osp
import pickle
import re
from typing import Any

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds an object outside the allow-list."""


def history_buffer_getattr(obj: Any, name: str) -> Any:
    """``getattr`` restricted to HistoryBuffer's statistics methods."""
    if obj is HistoryBuffer and name in HistoryBuffer._statistics_methods:
        return getattr(obj, name)
    raise UnsafeCheckpointError(
        f'a getattr({obj!r}, {name!r}) call (only HistoryBuffer statistics '
        'methods may be looked up while loading a checkpoint)')


def _numpy_globals() -> list:
    core = getattr(np, '_core', None) or np.core
    names = [np.ndarray, np.dtype, core.multiarray._reconstruct,
             core.multiarray.scalar]
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:  # numpy >= 1.25 pickles dtypes by their class
        names += [getattr(dtypes, n) for n in dtypes.__all__]
    return names


#: Everything besides tensors and plain containers that may be unpickled.
SAFE_GLOBALS = [HistoryBuffer, (history_buffer_getattr, 'builtins.getattr')
                ] + _numpy_globals()


def safe_load(filename: str, map_location=None) -> dict:
    """``torch.load`` with ``weights_only=True`` and :data:`SAFE_GLOBALS`.

    Raises:
        FileNotFoundError: If there is no such file.
        UnsafeCheckpointError: If the file holds a disallowed object.
        RuntimeError: If the file is not a readable checkpoint.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} does not exist')
    try:
        with torch.serialization.safe_globals(SAFE_GLOBALS):
            return torch.load(
                filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        raise UnsafeCheckpointError(
            f'refused to load {filename}: it holds {_reason(err)}, which is '
            'not on the allow-list. mmhad loads checkpoints with '
            'weights_only=True; tensors, containers, numpy arrays and '
            'mmengine HistoryBuffers are allowed. Nothing from the file was '
            'executed.') from None
    except (RuntimeError, EOFError, ValueError) as err:
        raise RuntimeError(
            f'{filename} is not a readable PyTorch checkpoint (truncated or '
            f'corrupt?): {err}') from None


def _reason(err: Exception) -> str:
    """What was refused, from torch's (long) message, without its advice
    to allow-list the object: that would let the file run code."""
    for cause in (err, err.__cause__, err.__context__):
        if isinstance(cause, UnsafeCheckpointError):
            return str(cause)
    text = str(err)
    match = re.search(r'GLOBAL ([\w.]+)', text)
    if match:
        return f'the object {match.group(1)}'
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    reason = lines[-1] if lines else type(err).__name__
    return re.split(r'\s*(?:Please use|allowlist)', reason)[0]


def register_safe_loader() -> None:
    """Make :func:`safe_load` mmengine's loader for local files."""
    CheckpointLoader.register_scheme(prefixes='', loader=safe_load, force=True)


register_safe_loader()
