"""tools/analysis/heldout_study.py: regimes and task orders as overrides."""
import os.path as osp
import sys

from mmengine.config import Config

from tests.conftest import REPO_ROOT

sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'analysis'))
import heldout_study  # noqa: E402


def test_pretrained_regime_keeps_the_shipped_encoder_and_demo_drops_it(
        tmp_path):
    pretrained = heldout_study.regime_options('outdoor', 'pretrained',
                                              str(tmp_path))
    scratch = heldout_study.regime_options('outdoor', 'demo', str(tmp_path))
    assert not any(o.startswith('model.') for o in pretrained)
    assert 'model.backbone.init_cfg=None' in scratch
    # the same images in both regimes
    assert set(pretrained) < set(scratch)
    assert ('train_dataloader.dataset.type=SyntheticOutdoorDataset'
            in pretrained)
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, heldout_study.SYNTHETIC['HAD']))
    assert cfg.model.backbone.init_cfg.type == 'Pretrained'
    assert osp.isfile(osp.join(REPO_ROOT,
                               cfg.model.backbone.init_cfg.checkpoint))


def test_every_synthetic_method_config_exists():
    for name, config in heldout_study.SYNTHETIC.items():
        assert osp.isfile(osp.join(REPO_ROOT, config)), name


def test_joint_training_keeps_one_phase_in_any_order():
    assert heldout_study.order_options('Joint', 'depth,semantic,normal') == [
        'train_cfg.task_order=[[depth,semantic,normal]]'
    ]
    assert heldout_study.order_options('HAD', 'depth,semantic,normal') == [
        'train_cfg.task_order=[depth,semantic,normal]'
    ]
    assert heldout_study.order_options('HAD', None) == []
