"""The shipped ConvNeXt and Swin configs build and train a step."""
import math
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmhad.registry import MODELS
from mmhad.tasks import config_tasks
from tests.conftest import REPO_ROOT
from tests.test_algorithms.test_lifelong_algorithm import make_batch


@pytest.mark.parametrize('config', [
    'configs/had/had_convnext-atto_synthetic.py',
    'configs/had/had_swin-t_synthetic.py',
    'configs/had/had_convnext-atto_nyuv2.py',
    'configs/had/had_swin-t_nyuv2.py',
])
def test_backbone_config_builds_and_steps(config):
    torch.manual_seed(0)
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    model = MODELS.build(cfg.model)
    model.set_tasks(config_tasks(cfg))  # as the loop does, from the dataset
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
    for phase, task in enumerate(['semantic', 'depth'], 1):
        model.begin_phase(phase, [task])
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
        model.train()
        losses = model.loss(*make_batch(tasks=[task], height=64, width=80))
        total = sum(losses.values())
        assert math.isfinite(float(total))
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
    assert any(k.startswith('distill.loss_db') for k in losses)
    out = model.eval().predict_tasks(torch.rand(1, 3, 64, 80))
    assert out['semantic'].shape[-2:] == (64, 80)
