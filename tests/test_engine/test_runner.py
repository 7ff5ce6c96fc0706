"""The lifelong loop and hooks read the runner through its public API."""
import ast
import glob
import os.path as osp
import re

import pytest
import torch
from mmengine.runner import Runner

from mmhad.engine import LifelongRunner
from tests.conftest import REPO_ROOT, tiny_cfg, tiny_model

PACKAGE = osp.join(REPO_ROOT, 'mmhad')


def private_reads():
    """``(file:line, expression)`` of every ``x._name`` in mmhad/ whose
    ``_name`` mmhad itself never defines (a def, a class or an assignment
    to ``self._name``) and whose ``x`` is not ``self`` or ``cls``."""
    sources = {path: open(path).read()
               for path in glob.glob(osp.join(PACKAGE, '**', '*.py'),
                                     recursive=True)}
    own = set()
    for source in sources.values():
        own |= set(re.findall(r'(?:def|class)\s+(_\w+)', source))
        own |= set(re.findall(r'\b(?:self|cls)\.(_\w+)\s*[:=]', source))
        own |= set(re.findall(r'\.(_\w+)\s*=', source))
    found = []
    for path, source in sources.items():
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Attribute):
                continue
            name = node.attr
            if not name.startswith('_') or name.startswith('__') or \
                    name in own:
                continue
            if isinstance(node.value, ast.Name) and node.value.id in (
                    'self', 'cls'):
                continue
            found.append((f'{osp.relpath(path, REPO_ROOT)}:{node.lineno}',
                          ast.unparse(node)))
    return found


def test_no_file_of_mmhad_reads_another_object_s_private_attribute():
    assert private_reads() == []


def test_the_scan_finds_a_private_read(tmp_path, monkeypatch):
    """The scan above is not vacuous: a file reading the runner's private
    field is found."""
    bad = osp.join(PACKAGE, 'engine', f'_scan_probe_{tmp_path.name}.py')
    with open(bad, 'w') as f:
        f.write('def resumed(runner):\n    return runner._resume\n')
    try:
        assert [expr for _, expr in private_reads()] == ['runner._resume']
    finally:
        import os
        os.remove(bad)


def test_the_lifelong_loop_refuses_a_plain_runner_naming_the_fix(
        tiny_data_root, tmp_path):
    cfg = tiny_cfg('configs/baselines/finetune_r18_synthetic.py',
                   tiny_data_root, tmp_path)
    runner = Runner.from_cfg(cfg)
    with pytest.raises(TypeError, match="runner_type='LifelongRunner'"):
        runner.train()


def test_resume_without_a_checkpoint_starts_fresh_in_public_view(
        tiny_data_root, tmp_path):
    cfg = tiny_cfg('configs/baselines/finetune_r18_synthetic.py',
                   tiny_data_root, tmp_path)
    cfg.resume = True
    runner = LifelongRunner.from_cfg(cfg)
    assert runner.resume_run and runner.load_from is None
    assert runner.current_phase is None
    runner.train_loop  # builds the loop, which finds no checkpoint
    assert not runner.resume_run and runner.load_from is None


def test_a_state_dict_grows_the_heads_and_what_components_keep_per_task():
    """One place builds what a state dict needs before it loads: the heads
    and the components' per-task parameters (Piggyback's masks)."""
    trained = tiny_model(type='Piggyback')
    trained.begin_phase(1, ['semantic'])
    trained.begin_phase(2, ['depth'])
    masks = trained.components['piggyback'].mask_scores['depth']
    with torch.no_grad():
        for score in masks.values():
            score.uniform_()
    fresh = tiny_model(type='Piggyback')
    fresh.load_state_dict(trained.state_dict())
    assert fresh.task_names == ['semantic', 'depth']
    loaded = fresh.components['piggyback'].mask_scores['depth']
    assert all(torch.equal(loaded[k], masks[k]) for k in masks)
