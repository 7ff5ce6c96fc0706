"""Shared fixtures: tiny models and tiny generated datasets (CPU, seconds)."""
import copy
import os.path as osp
import uuid

import pytest
from mmengine.config import Config

from mmhad.datasets.synthetic_indoor import generate_synthetic_indoor
from mmhad.utils import register_all_modules

register_all_modules()

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

TASKS = dict(
    semantic=dict(type='SemanticTask', num_classes=7, ignore_index=-1),
    depth=dict(type='DepthTask'),
    normal=dict(type='NormalTask'))

# A ResNet-18 four times narrower than the real one, same structure
# (dilated, output stride 8), and a small ASPP head.
TINY_MODEL = dict(
    type='HAD',
    backbone=dict(
        type='ResNetV1c',
        depth=18,
        base_channels=8,
        stem_channels=8,
        out_indices=(3, ),
        dilations=(1, 1, 2, 4),
        strides=(1, 2, 1, 1),
        norm_cfg=dict(type='BN', requires_grad=True),
        contract_dilation=True),
    decode_head=dict(
        type='ASPPHead',
        in_channels=64,
        in_index=0,
        channels=16,
        dilations=(1, 12, 24, 36),
        dropout_ratio=0.5,
        norm_cfg=dict(type='BN', requires_grad=True),
        align_corners=False),
    tasks=TASKS)


def tiny_model_cfg(**overrides):
    cfg = copy.deepcopy(TINY_MODEL)
    cfg.update(overrides)
    return cfg


def tiny_cfg(config, data_root, work_dir, **train_cfg):
    """A real config with the tiny model and the tiny dataset swapped in."""
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    method = cfg.model.type
    cfg.model = Config(TINY_MODEL)._cfg_dict.to_dict()
    cfg.model['type'] = method
    tasks = list(TASKS)
    for loader, split in [('train_dataloader', 'train'),
                          ('val_dataloader', 'val'),
                          ('test_dataloader', 'val')]:
        cfg[loader].dataset = dict(
            type='MultiTaskNpyDataset',
            data_root=data_root,
            split=split,
            tasks=tasks,
            pipeline=cfg[loader].dataset.pipeline)
        cfg[loader].batch_size = 4
    cfg.train_cfg.update(dict(dict(max_epochs=1), **train_cfg))
    cfg.work_dir = str(work_dir)
    name = uuid.uuid4().hex
    cfg.experiment_name = name
    cfg.visualizer.name = name
    cfg.default_hooks.logger.interval = 1
    return cfg


@pytest.fixture(scope='session')
def tiny_data_root(tmp_path_factory):
    """12 train / 6 val synthetic rooms of 32x40 in the NYUv2 layout."""
    root = str(tmp_path_factory.mktemp('tiny_synthetic'))
    generate_synthetic_indoor(
        root, num_train=12, num_val=6, height=32, width=40, seed=1)
    return root
