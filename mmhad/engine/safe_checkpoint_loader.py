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
global named; ``weights_only`` is never switched off. A file that is not a
readable checkpoint (truncated, damaged, not written by ``torch.save``) is
named with its size and what went wrong, whatever the reader raised, and
:func:`check_weights_fit` refuses a readable checkpoint of another model.
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


class CorruptCheckpointError(RuntimeError):
    """A file is not a readable PyTorch checkpoint (truncated, damaged, or
    not written by ``torch.save``)."""


#: How a file written by ``torch.save`` starts: a zip archive (PyTorch >=
#: 1.6) or a legacy pickle (protocol 2 or later opens with 0x80).
CHECKPOINT_MAGIC = (b'PK\x03\x04', b'\x80')


#: HistoryBuffer's statistics methods, which mmengine pickles by name.
HISTORY_BUFFER_STATISTICS = ('min', 'max', 'mean', 'current')


def history_buffer_getattr(obj: Any, name: str) -> Any:
    """``getattr`` restricted to HistoryBuffer's statistics methods."""
    if obj is HistoryBuffer and name in HISTORY_BUFFER_STATISTICS:
        return getattr(obj, name)
    raise UnsafeCheckpointError(
        f'a getattr({obj!r}, {name!r}) call (only HistoryBuffer statistics '
        'methods may be looked up while loading a checkpoint)')


def _numpy_globals() -> list:
    # the functions numpy pickles arrays and scalars with, as numpy itself
    # names them (their module moved in numpy 2)
    names = [np.ndarray, np.dtype, np.zeros(1).__reduce__()[0],
             np.float64(0).__reduce__()[0]]
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
        CorruptCheckpointError: If the file is not a readable checkpoint;
            the message names the file, its size and what went wrong.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} does not exist')
    with open(filename, 'rb') as f:
        head = f.read(8)
    if not head.startswith(CHECKPOINT_MAGIC):
        raise _corrupt(filename, f'it starts with {head!r}, where a file '
                       "written by torch.save starts with b'PK\\x03\\x04' "
                       "(a zip archive) or b'\\x80' (a pickle)")
    try:
        with torch.serialization.safe_globals(SAFE_GLOBALS):
            return torch.load(
                filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as err:
        reason = _refused_object(err)
        if reason is None:  # a damaged pickle stream, not a refused object
            raise _corrupt(filename, _last_line(err)) from None
        raise UnsafeCheckpointError(
            f'refused to load {filename}: it holds {reason}, which is '
            'not on the allow-list. mmhad loads checkpoints with '
            'weights_only=True; tensors, containers, numpy arrays and '
            'mmengine HistoryBuffers are allowed. Nothing from the file was '
            'executed.') from None
    except Exception as err:  # noqa: B902 - whatever a damaged file raises
        # (RuntimeError from the zip reader, EOFError, OSError on a seek
        # past the end, KeyError or ValueError from a damaged stream)
        raise _corrupt(filename,
                       f'{type(err).__name__}: {_last_line(err)}') from None


def check_weights_fit(model_keys, checkpoint: dict, filename: str) -> None:
    """Refuse a readable checkpoint that holds none of a model's weights.

    mmengine loads state dicts with ``strict=False``: a checkpoint of
    another model (a pretraining backbone, another project's file) would
    load nothing and leave the model as initialised, without an error.

    Args:
        model_keys (Iterable[str]): The model's state-dict keys.
        checkpoint (dict): What :func:`safe_load` returned.
        filename (str): The file, for the message.

    Raises:
        ValueError: If the checkpoint has no ``state_dict`` of tensors, or
            shares no key with the model.
    """
    state = checkpoint.get('state_dict', checkpoint) if isinstance(
        checkpoint, dict) else None
    if not isinstance(state, dict) or not any(
            hasattr(v, 'shape') for v in state.values()):
        raise ValueError(f'{filename} holds no state dict of weights (a '
                         "dict of tensors, under 'state_dict' in an mmhad "
                         'checkpoint)')
    model_keys = list(model_keys)
    if not set(model_keys) & set(state):
        raise ValueError(
            f'{filename} holds none of the weights of this model: its keys '
            f'look like {sorted(state)[:2]}, the model\'s like '
            f'{model_keys[:2]}. Is it a checkpoint of another model (a '
            'pretraining backbone is loaded through the backbone\'s '
            'init_cfg, not as a checkpoint)?')


def _corrupt(filename: str, what: str) -> CorruptCheckpointError:
    return CorruptCheckpointError(
        f'{filename} ({osp.getsize(filename)} bytes) is not a readable '
        f'PyTorch checkpoint (truncated or corrupt?): {what}')


def _last_line(err: Exception) -> str:
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    return lines[-1] if lines else type(err).__name__


def _refused_object(err: Exception):
    """What the weights-only unpickler refused (an object it would have had
    to build), or None when the stream itself is damaged."""
    for cause in (err, err.__cause__, err.__context__):
        if isinstance(cause, UnsafeCheckpointError):
            return str(cause)
    text = str(err)
    match = re.search(r'GLOBAL ([\w.]+)', text)
    if match:
        return f'the object {match.group(1)}'
    if 'Unsupported operand' in text or not re.search(
            r'allowlist|safe_globals|reduce for unrecognized', text):
        return None  # a byte the unpickler cannot read: damage
    # a refusal torch words otherwise; without its advice to allow-list
    # the object, which would let the file run code
    return re.split(r'\s*(?:Please use|allowlist)', _last_line(err))[0]


def register_safe_loader() -> None:
    """Make :func:`safe_load` mmengine's loader for local files."""
    CheckpointLoader.register_scheme(prefixes='', loader=safe_load, force=True)


register_safe_loader()
