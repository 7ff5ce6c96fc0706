"""Each component plays a role whose methods it must have, and what it
builds for a task reaches the optimizer under both optimizer policies."""
import textwrap
from typing import Dict

import pytest
import torch
from torch import Tensor

from mmhad.components import (IsolationComponent, LifelongComponent,
                              LossComponent, OldTaskWeighting,
                              StepFilterComponent)
from mmhad.engine import LifelongRunner
from mmhad.registry import MODELS
from tests.conftest import (REPO_ROOT, TINY_FEAT_CHANNELS, tiny_cfg,
                            tiny_model, tiny_model_cfg)


class NoLosses(LossComponent):
    pass


class NoPrediction(IsolationComponent):
    pass


class NoScales(OldTaskWeighting):

    def observe(self, outputs, new_tasks, distilled) -> None:
        pass


class NoFilterStep(StepFilterComponent):

    def filtered_names(self):
        return []


class NoRole(LifelongComponent):

    def losses(self, step) -> Dict[str, Tensor]:
        return {}


class Isolation(IsolationComponent):

    def predict_tasks(self, inputs, names=None):
        return self.architecture.predict_tasks(inputs, names)


@pytest.mark.parametrize('component, missing', [
    (NoLosses, 'losses'),
    (NoPrediction, 'predict_tasks'),
    (NoScales, 'scales'),
    (NoFilterStep, 'filter_step'),
])
def test_a_component_missing_a_method_of_its_role_is_not_built(
        component, missing):
    cfg = tiny_model_cfg('FineTune',
                         components=dict(mine=dict(type=component)))
    with pytest.raises(TypeError, match=f'{component.__name__}.*{missing}'):
        MODELS.build(cfg)


def test_a_component_that_plays_no_role_is_refused():
    cfg = tiny_model_cfg('FineTune', components=dict(mine=dict(type=NoRole)))
    with pytest.raises(TypeError, match=r'components\.mine .*plays no role.*'
                       'LossComponent, IsolationComponent'):
        MODELS.build(cfg)


def test_two_isolations_are_refused_naming_both():
    cfg = tiny_model_cfg('FineTune', components=dict(
        a=dict(type=Isolation), b=dict(type='Piggyback')))
    with pytest.raises(ValueError, match=r"\['a', 'b'\].*IsolationComponent"):
        MODELS.build(cfg)


def test_roles_decide_the_step_not_the_kind():
    """A step filter gives no loss terms even under a loss kind's prefix,
    and the isolation is found by its class."""
    model = tiny_model('FineTune', components=dict(
        mine=dict(type=Isolation)))
    model.components['mine'].kind = 'distill'  # only a log prefix
    assert model.isolation is model.components['mine']
    assert model.weighting is None


# A method that needs new parameters, as a user writes it: one file (a
# per-task gain on the backbone's last features, an adapter) and one
# config that imports it.
ADAPTER = '''
"""Per-task channel gains on the backbone's last features."""
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
from torch import Tensor

from mmhad.components import IsolationComponent
from mmhad.registry import MODELS
from mmhad.utils.knobs import COUNT


@MODELS.register_module()
class TaskGains(IsolationComponent):
    KNOBS = dict(channels=COUNT)

    def __init__(self, channels: int, init_cfg: Optional[dict] = None):
        super().__init__(init_cfg)
        self.channels = channels
        self.gains = nn.ParameterDict()

    def task_added(self, name: str) -> None:
        if len(self.architecture.heads) > 1:  # the first task: no gain
            self.gains[name] = nn.Parameter(torch.ones(self.channels))

    def new_parameters(self, name: str) -> List[nn.Parameter]:
        return [self.gains[name]] if name in self.gains else []

    def predict_tasks(self, inputs: Tensor,
                      names: Optional[Sequence[str]] = None
                      ) -> Dict[str, Tensor]:
        architecture = self.architecture
        names = architecture.task_names if names is None else names
        feats = list(architecture.extract_feat(inputs))
        outputs = {}
        for name in names:
            task_feats = feats
            if name in self.gains:
                gain = self.gains[name][:, None, None]
                task_feats = feats[:-1] + [feats[-1] * gain]
            outputs[name] = architecture.decode(task_feats, [name],
                                                inputs.shape[2:])[name]
        return outputs
'''

CONFIG = '''
_base_ = ['{repo}/configs/baselines/finetune_r18_synthetic.py']
custom_imports = dict(imports=['task_gains'], allow_failed_imports=False)
model = dict(components=dict(gains=dict(type='TaskGains', channels={c})))
'''


@pytest.fixture(scope='module')
def adapter_config(tmp_path_factory):
    root = tmp_path_factory.mktemp('adapter')
    (root / 'task_gains.py').write_text(ADAPTER)
    config = root / 'task_gains_r18_synthetic.py'
    config.write_text(textwrap.dedent(
        CONFIG.format(repo=REPO_ROOT, c=TINY_FEAT_CHANNELS)))
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(root))
        yield str(config)


def params_in_optimizer(runner):
    return {id(p) for group in runner.optim_wrapper.optimizer.param_groups
            for p in group['params']}


@pytest.mark.parametrize('policy', ['rebuild', 'extend'])
def test_an_adapter_in_one_file_trains_under_both_policies(
        adapter_config, tiny_data_root, tmp_path, policy):
    cfg = tiny_cfg(adapter_config, tiny_data_root, tmp_path,
                   optimizer_policy=policy)
    runner = LifelongRunner.from_cfg(cfg)
    runner.train()
    gains = runner.model.components['gains'].gains
    assert sorted(gains) == ['depth', 'normal']
    in_optimizer = params_in_optimizer(runner)
    for name, gain in gains.items():
        assert not torch.equal(gain.detach(), torch.ones_like(gain)), name
    assert id(gains['normal']) in in_optimizer


@pytest.mark.parametrize('policy', ['rebuild', 'extend'])
def test_piggyback_masks_learn_under_both_policies(tiny_data_root, tmp_path,
                                                   policy):
    runner = LifelongRunner.from_cfg(
        tiny_cfg('configs/baselines/piggyback_r18_synthetic.py',
                 tiny_data_root, tmp_path, optimizer_policy=policy))
    runner.train()
    piggyback = runner.model.components['piggyback']
    in_optimizer = params_in_optimizer(runner)
    for name in ('depth', 'normal'):
        scores = list(piggyback.mask_scores[name].values())
        assert all(id(s) in in_optimizer for s in scores), name
        assert any(not torch.all(s == piggyback.init_score) for s in scores)
    if policy == 'extend':  # one group per new task: head and masks
        groups = runner.optim_wrapper.optimizer.param_groups
        normal = {id(p) for p in groups[-1]['params']}
        assert normal == {
            id(p) for p in runner.model.heads['normal'].parameters()
        } | {id(s) for s in piggyback.mask_scores['normal'].values()}
