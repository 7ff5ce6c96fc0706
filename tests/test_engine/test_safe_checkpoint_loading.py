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

from mmhad.engine import CorruptCheckpointError, UnsafeCheckpointError


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


def test_missing_checkpoint_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        load(tmp_path / 'missing.pth')


def checkpoint_bytes():
    buffer = io.BytesIO()
    torch.save({'state_dict': {f'w{i}': torch.randn(16, 16)
                               for i in range(4)}}, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize('damage,detail', [
    (lambda b: b[:len(b) // 2], 'zip archive'),  # a copy cut short
    (lambda b: b[:len(b) // 3] + b[2 * len(b) // 3:], 'zip archive'),
    (lambda b: b[1000:], 'it starts with'),  # the head lost
    (lambda b: b'', "it starts with b''"),  # an empty file
    (lambda b: b'version https://git-lfs' + b' ' * 100, 'it starts with'),
    (lambda b: pickle.dumps({'w': 1}, protocol=2)[:8], 'unpack'),
])
def test_every_damaged_checkpoint_is_named_with_its_size(
        tmp_path, damage, detail):
    """Whatever the reader raises (the zip reader's RuntimeError, a
    pickle's struct error, a text file's KeyError), the error names the
    file, its size and what went wrong; never 'unsafe'."""
    path = tmp_path / 'phase_1_semantic.pth'
    path.write_bytes(damage(checkpoint_bytes()))
    with pytest.raises(CorruptCheckpointError) as info:
        load(path)
    message = str(info.value)
    assert str(path) in message and f'({path.stat().st_size} bytes)' in \
        message
    assert detail in message


def test_a_damaged_pretrained_backbone_is_named_when_weights_init(
        tmp_path):
    from mmhad.registry import MODELS
    from tests.conftest import tiny_model_cfg
    damaged = tmp_path / 'backbone.pth'
    damaged.write_bytes(checkpoint_bytes()[:100])
    cfg = tiny_model_cfg(type='FineTune')
    cfg['architecture']['backbone']['init_cfg'] = dict(
        type='Pretrained', checkpoint=str(damaged))
    model = MODELS.build(cfg)
    with pytest.raises(CorruptCheckpointError, match='backbone.pth'):
        model.init_weights()


def test_a_damaged_load_from_stops_training_naming_it(
        tiny_data_root, tmp_path):
    from mmhad.engine import LifelongRunner
    from tests.conftest import tiny_cfg
    damaged = tmp_path / 'phase_2_depth.pth'
    damaged.write_bytes(checkpoint_bytes()[:-10])
    cfg = tiny_cfg('configs/had/had_r18_synthetic.py', tiny_data_root,
                   str(tmp_path / 'run'), max_epochs=1)
    cfg.load_from = str(damaged)
    with pytest.raises(CorruptCheckpointError, match='phase_2_depth.pth'):
        LifelongRunner.from_cfg(cfg).train()


def test_pickle_module_is_untouched():
    # the allow-list is scoped to our loads, not set globally
    assert pickle.loads(pickle.dumps(WritesAFile)) is WritesAFile


def test_a_foreign_pretrained_backbone_is_refused_naming_it(tmp_path):
    """mmengine loads a Pretrained init_cfg with strict=False: the weights
    of another network would load nothing, silently."""
    import torch

    from mmhad.registry import MODELS
    from tests.conftest import tiny_model, tiny_model_cfg
    foreign = tmp_path / 'classifier.pth'
    torch.save({'state_dict': {'fc.weight': torch.ones(10, 4)}}, foreign)
    cfg = tiny_model_cfg(type='FineTune')
    cfg['architecture']['backbone']['init_cfg'] = dict(
        type='Pretrained', checkpoint=str(foreign))
    with pytest.raises(ValueError, match=r'classifier.pth \(backbone '
                       r'init_cfg\) holds none of the weights'):
        MODELS.build(cfg).init_weights()
    # the backbone's own weights, under a prefix, load and pass
    source = tiny_model(type='FineTune')
    whole = tmp_path / 'whole_model.pth'
    torch.save({'state_dict': source.state_dict()}, whole)
    cfg['architecture']['backbone']['init_cfg'] = dict(
        type='Pretrained', checkpoint=str(whole),
        prefix='architecture.backbone.')
    model = MODELS.build(cfg)
    model.init_weights()
    loaded = model.architecture.backbone.state_dict()
    assert all(torch.equal(loaded[k], v) for k, v in
               source.architecture.backbone.state_dict().items())
