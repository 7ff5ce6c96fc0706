"""Shared fixtures: tiny models and tiny generated datasets (CPU, seconds)."""
import copy
import os.path as osp

import pytest

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


@pytest.fixture(scope='session')
def tiny_data_root(tmp_path_factory):
    """12 train / 6 val synthetic rooms of 32x40 in the NYUv2 layout."""
    root = str(tmp_path_factory.mktemp('tiny_synthetic'))
    generate_synthetic_indoor(
        root, num_train=12, num_val=6, height=32, width=40, seed=1)
    return root
