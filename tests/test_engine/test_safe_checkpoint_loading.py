"""Checkpoints load with weights_only=True; crafted ones are refused."""
import argparse
import io
import os
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner.checkpoint import CheckpointLoader

from mmhad.engine import UnsafeCheckpointError


def load(path):
    # the path mmengine's load_from / resume take
    return CheckpointLoader.load_checkpoint(str(path), map_location='cpu')


def test_mmengine_checkpoint_with_history_buffers_loads(tmp_path):
    hub = MessageHub('safe-load-test')
    hub.update_scalar('train/loss', 0.5)
    hub.update_scalar('train/loss', 1.5)
    ckpt = dict(
        state_dict={'w': torch.ones(2)},
        message_hub=hub.state_dict(),
        meta=dict(seed=np.int64(4), hist=np.arange(3.0)))
    path = tmp_path / 'epoch_1.pth'
    torch.save(ckpt, path)
    loaded = load(path)
    buffer = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.mean() == pytest.approx(1.0)
    assert loaded['meta']['seed'] == 4
    assert np.array_equal(loaded['meta']['hist'], np.arange(3.0))


class WritesAFile:
    """Unpickling this would create a file (a stand-in for any payload)."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f'touch {self.path}', ))


def test_checkpoint_that_would_run_code_is_refused(tmp_path):
    marker = tmp_path / 'pwned'
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'payload': WritesAFile(marker)}, path)
    with pytest.raises(UnsafeCheckpointError, match='evil.pth.*system'):
        load(path)
    assert not marker.exists()


def test_refusal_names_the_object_and_gives_no_allow_list_advice(tmp_path):
    path = tmp_path / 'namespace.pth'
    torch.save({'meta': argparse.Namespace(lr=0.1)}, path)
    with pytest.raises(UnsafeCheckpointError) as info:
        load(path)
    message = str(info.value)
    assert 'the object argparse.Namespace' in message
    assert 'safe_globals' not in message and 'allowlist' not in message


class GetattrAbuse:
    """Reaches os.system through getattr, the way HistoryBuffer's pickles
    use getattr."""

    def __reduce__(self):
        return (getattr, (HistoryBuffer, '__init__'))


def test_getattr_is_only_allowed_for_history_buffer_statistics(tmp_path):
    path = tmp_path / 'getattr.pth'
    torch.save({'x': GetattrAbuse()}, path)
    with pytest.raises(UnsafeCheckpointError, match="__init__"):
        load(path)


def test_corrupt_checkpoint_is_named(tmp_path):
    path = tmp_path / 'broken.pth'
    buffer = io.BytesIO()
    torch.save({'w': torch.ones(3)}, buffer)
    path.write_bytes(buffer.getvalue()[:50])
    with pytest.raises(RuntimeError, match='broken.pth is not a readable'):
        load(path)
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        load(tmp_path / 'missing.pth')


def test_pickle_module_is_untouched():
    # the allow-list is scoped to our loads, not set globally
    assert pickle.loads(pickle.dumps(WritesAFile)) is WritesAFile
