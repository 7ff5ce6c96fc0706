"""tools/pretrain.py: train a PretextClassifier, export its backbone,
resume."""
import json
import os.path as osp
import sys

import pytest
import torch
from mmengine.config import Config

from mmhad.registry import MODELS
from tests.conftest import REPO_ROOT

sys.path.insert(0, osp.join(REPO_ROOT, 'tools'))
import pretrain  # noqa: E402

CONFIG = osp.join(REPO_ROOT,
                  'configs/pretrain/fractaldb100_r18-d8-quarter_64x80.py')


def tiny_pretrain_config(path, epochs=2):
    """The shipped config on 4 categories of 24x32 fractals, 2 epochs of 3
    iterations (backbone and schedule kept as shipped)."""
    cfg = Config.fromfile(CONFIG)
    cfg.train_dataloader.dataset.update(
        num_classes=4, instances_per_class=6, height=24, width=32)
    cfg.train_dataloader.batch_size = 8
    cfg.model.num_classes = 4
    cfg.train_cfg.max_epochs = epochs
    cfg.param_scheduler[1].end = epochs
    cfg.default_hooks.logger.interval = 1
    cfg.dump(str(path))
    return str(path)


def load(path):
    return torch.load(path, map_location='cpu', weights_only=True)


def test_exported_backbone_loads_into_the_synthetic_lifelong_model(tmp_path):
    config = tiny_pretrain_config(tmp_path / 'tiny.py')
    work = tmp_path / 'work'
    pretrain.main([config, '--work-dir', str(work)])
    exported = load(work / 'backbone.pth')
    assert exported['meta']['iterations'] == 6
    assert exported['meta']['backbone'] == 'ResNetV1c'
    summary = json.loads((work / 'backbone.json').read_text())
    assert summary['images'] == 48 and 0 <= summary['last_train_acc'] <= 1
    assert not any(k.startswith('backbone.') for k in exported['state_dict'])

    lifelong = Config.fromfile(
        osp.join(REPO_ROOT, 'configs/had/had_r18_synthetic.py')).model
    lifelong.architecture.backbone.init_cfg = dict(
        type='Pretrained', checkpoint=str(work / 'backbone.pth'))
    model = MODELS.build(lifelong)
    model.init_weights()
    state = model.architecture.backbone.state_dict()
    assert set(state) == set(exported['state_dict'])
    for key, value in exported['state_dict'].items():
        torch.testing.assert_close(state[key], value, rtol=0, atol=0)
    # pretraining moved the weights away from a fresh initialisation
    fresh = MODELS.build(Config.fromfile(CONFIG).model).backbone.state_dict()
    assert not torch.equal(fresh['layer4.1.conv2.weight'],
                           exported['state_dict']['layer4.1.conv2.weight'])


def test_killed_run_resumes_to_the_uninterrupted_weights(tmp_path):
    config = tiny_pretrain_config(tmp_path / 'tiny.py')
    pretrain.main([config, '--work-dir', str(tmp_path / 'whole')])
    # "killed" after epoch 1: a run of one epoch, then resumed to two
    short = tiny_pretrain_config(tmp_path / 'short.py', epochs=1)
    cfg = Config.fromfile(short)
    cfg.param_scheduler[1].end = 2  # the schedule of the 2-epoch run
    cfg.dump(short)
    pretrain.main([short, '--work-dir', str(tmp_path / 'resumed')])
    pretrain.main([config, '--work-dir', str(tmp_path / 'resumed'),
                   '--resume'])
    whole = load(tmp_path / 'whole' / 'backbone.pth')['state_dict']
    resumed = load(tmp_path / 'resumed' / 'backbone.pth')['state_dict']
    for key in whole:
        torch.testing.assert_close(resumed[key], whole[key])


def test_a_lifelong_config_is_refused(tmp_path):
    with pytest.raises(SystemExit, match='PretextClassifier'):
        pretrain.main([
            osp.join(REPO_ROOT, 'configs/had/had_r18_synthetic.py'),
            '--work-dir', str(tmp_path)
        ])


def test_an_earlier_run_is_not_overwritten(tmp_path):
    config = tiny_pretrain_config(tmp_path / 'tiny.py', epochs=1)
    pretrain.main([config, '--work-dir', str(tmp_path / 'w')])
    with pytest.raises(SystemExit, match='--resume'):
        pretrain.main([config, '--work-dir', str(tmp_path / 'w')])


def test_a_damaged_checkpoint_to_resume_from_is_named(tmp_path):
    from mmhad.engine import CorruptCheckpointError
    config = tiny_pretrain_config(tmp_path / 'tiny.py', epochs=1)
    work = tmp_path / 'w'
    pretrain.main([config, '--work-dir', str(work)])
    latest = work / 'epoch_1.pth'
    latest.write_bytes(latest.read_bytes()[:1000])  # a copy cut short
    with pytest.raises(CorruptCheckpointError, match='epoch_1.pth'):
        pretrain.main([config, '--work-dir', str(work), '--resume'])
