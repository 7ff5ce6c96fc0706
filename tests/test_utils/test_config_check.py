"""Config typos are reported before training."""
import os.path as osp

import pytest
from mmengine.config import Config

from mmhad.utils import check_hook_arguments, unread_key_warnings
from tests.conftest import REPO_ROOT

CONFIG = osp.join(REPO_ROOT, 'configs/had/had_r18_synthetic.py')


def test_a_shipped_config_passes():
    cfg = Config.fromfile(CONFIG)
    assert unread_key_warnings(cfg.keys(), {}) == []
    check_hook_arguments(cfg)


def test_top_level_typo_is_warned_with_the_key_meant():
    cfg = Config.fromfile(CONFIG)
    warnings = unread_key_warnings(
        cfg.keys(), {'randomnes.seed': 1, 'train_cfg.max_epochs': 2,
                     'data_root': 'x'})
    assert warnings == ["--cfg-options sets the top-level key 'randomnes', "
                        "which nothing reads (did you mean 'randomness'?)"]
    assert unread_key_warnings(['model', 'defualt_hooks'], {}) == [
        "the config's top-level key 'defualt_hooks' is not read by the "
        "Runner (did you mean 'default_hooks'?)"]


@pytest.mark.parametrize('option,message', [
    ({'default_hooks.checkpoint.intervall': 1},
     r"default_hooks.checkpoint \(CheckpointHook\) got unknown argument\(s\) "
     r"\['intervall'\] \(did you mean 'interval'\?\)"),
    ({'default_hooks.logger.interva': 1}, r"\['interva'\]"),
    ({'custom_hooks': [dict(type='NoSuchHook')]}, 'unknown hook type'),
])
def test_hook_argument_typos_fail_before_training(option, message):
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict(option)
    with pytest.raises(TypeError, match=message):
        check_hook_arguments(cfg)
