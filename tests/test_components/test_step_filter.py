"""Step filters (SPG, SGP) hook into every optimizer's step while their
component lives, and not after: PyTorch's step hooks are global."""
import gc

import pytest
import torch
import torch.optim.optimizer as optimizer_module

from mmhad.registry import MODELS
from mmhad.utils import register_all_modules

register_all_modules()


def global_hooks():
    return (len(optimizer_module._global_optimizer_pre_hooks),
            len(optimizer_module._global_optimizer_post_hooks))


@pytest.mark.parametrize('type_', ['SPG', 'SGP'])
def test_a_filters_hooks_go_with_its_component(type_):
    gc.collect()
    before = global_hooks()
    component = MODELS.build(dict(type=type_))
    assert global_hooks() == (before[0] + 1, before[1] + 1)
    param = torch.nn.Parameter(torch.ones(2))
    optimizer = torch.optim.SGD([param], lr=1.)
    del component
    gc.collect()
    assert global_hooks() == before
    param.grad = torch.ones(2)
    optimizer.step()  # a plain step: no hook left from the component
    assert torch.equal(param.detach(), torch.zeros(2))
