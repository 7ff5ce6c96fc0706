"""The end-to-end parity tool's own logic: mapping mmhad's network onto the
reference's, copying weights across, measuring their differences, reading
the reference's evaluation line and comparing two runs phase by phase.
(Training the reference itself needs its checkout: docs/en/reference_parity.md
has the tool's output on it.)"""
import copy
import os.path as osp
import sys

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from torchvision.models.segmentation.deeplabv3 import DeepLabHead

from mmhad.registry import MODELS
from tests.conftest import REPO_ROOT

sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'analysis'))
from parity_reference import (compare, load_into_reference,  # noqa: E402
                              max_difference, mmhad_config,
                              parse_reference_eval, reference_keys)

TASKS = ('semantic', 'depth')


def small_architecture():
    cfg = Config.fromfile(osp.join(
        REPO_ROOT, 'configs/had/had_r18_nyuv2.py')).model.architecture
    cfg.backbone.init_cfg = None
    cfg.backbone.update(base_channels=8)
    cfg.decode_head.update(in_channels=64)
    model = MODELS.build(cfg)
    model.set_tasks(dict(semantic=dict(type='SemanticTask', num_classes=13),
                         depth=dict(type='DepthTask')))
    for task in TASKS:
        model.add_task(task)
    return model


class ReferenceShaped(nn.Module):
    """The reference network's naming and layout: ``backbone.*`` and one
    torchvision ``DeepLabHead`` as ``decoder_<task>`` per task (its
    classifier last, where mmseg's head builds it first)."""

    def __init__(self, ours):
        super().__init__()
        self.backbone = copy.deepcopy(ours.backbone)
        for task in TASKS:
            self.add_module(f'decoder_{task}', DeepLabHead(
                64, ours.heads[task].conv_seg.out_channels))
        for p in self.parameters():  # other weights than mmhad's
            nn.init.normal_(p)


def test_weights_copied_into_the_reference_naming_are_equal():
    ours = small_architecture()
    theirs = ReferenceShaped(ours)
    state = ours.state_dict()
    before = max_difference(state, theirs, list(TASKS))
    assert before['tensors_differing'] > 0 and before['max_abs'] > 0
    load_into_reference(theirs, state, ['semantic'], backbone=True)
    partly = max_difference(state, theirs, list(TASKS))
    assert 0 < partly['tensors_differing'] < before['tensors_differing']
    load_into_reference(theirs, state, ['depth'], backbone=False)
    after = max_difference(state, theirs, list(TASKS))
    assert after == dict(max_abs=0., max_rel=0., max_rel_at=None,
                         tensors_differing=0, tensors=before['tensors'])
    # one nudged weight is found, and by how much
    with torch.no_grad():
        theirs.decoder_depth[4].weight[0, 0, 0, 0] += 0.25  # classifier
    nudged = max_difference(state, theirs, list(TASKS))
    assert nudged['tensors_differing'] == 1
    assert nudged['max_abs'] == pytest.approx(0.25)
    scale = state['heads.depth.conv_seg.weight'].abs().max().item()
    assert nudged['max_rel'] == pytest.approx(0.25 / scale, rel=1e-5)
    assert nudged['max_rel_at'] == 'heads.depth.conv_seg.weight'


def test_a_head_of_another_layout_is_refused():
    ours = small_architecture()
    theirs = ReferenceShaped(ours)
    theirs.decoder_depth = nn.Conv2d(8, 1, 1)
    with pytest.raises(ValueError, match='head depth'):
        reference_keys(list(ours.state_dict()), theirs.state_dict(), 'depth')


def test_reference_evaluation_line_is_read_as_mmhad_metrics():
    line = ("2026-12-05 semantic results are ['0.2500', '0.7000'] depth "
            "results are ['0.6000', '0.2000'], normal results are "
            "['30.0000', '25.0000', '0.1000', '0.4000', '0.6000']\n")
    metrics = parse_reference_eval(line)
    assert metrics['semantic/mIoU'] == pytest.approx(25.)
    assert metrics['depth/abs_err'] == pytest.approx(0.6)
    assert metrics['normal/within_30'] == pytest.approx(60.)
    with pytest.raises(ValueError, match='unexpected'):
        parse_reference_eval('no numbers here')


def test_compare_reports_equal_and_differing_losses():
    ours = [dict(phase=1, tasks=['semantic'], losses=[2.5, 2.25],
                 metrics={'semantic/mIoU': 10.})]
    theirs = [dict(losses=[2.5, 2.25], weights=dict(
        max_abs=0., tensors_differing=0, tensors=3),
        metrics={'semantic/mIoU': 10., 'depth/abs_err': 1.})]
    row, = compare(ours, theirs)
    assert row['losses_equal'] and row['max_loss_diff'] == 0
    assert row['metrics'] == {'semantic/mIoU': [10., 10.]}
    theirs[0]['losses'] = [2.5, 2.0]
    row, = compare(ours, theirs)
    assert not row['losses_equal']
    assert row['max_loss_diff'] == pytest.approx(0.25)


def test_mmhad_side_keeps_every_setting_but_data_batch_epochs_init(
        tmp_path):
    args = type('Args', (), dict(
        config=osp.join(REPO_ROOT, 'configs/had/had_r50_nyuv2.py'),
        batch_size=4, epochs=1, seed=4))()
    cfg = mmhad_config(args, str(tmp_path / 'data'), str(tmp_path / 'w'))
    shipped = Config.fromfile(args.config)
    assert cfg.model.components == shipped.model.components
    assert cfg.model.architecture.backbone.depth == 50
    assert cfg.model.architecture.backbone.init_cfg is None
    assert cfg.train_dataloader.sampler == shipped.train_dataloader.sampler
    assert cfg.train_dataloader.batch_size == 4
    assert cfg.val_dataloader.batch_size == 4  # equal, as the protocol
    assert cfg.val_evaluator == shipped.val_evaluator
    assert cfg.optim_wrapper == shipped.optim_wrapper
