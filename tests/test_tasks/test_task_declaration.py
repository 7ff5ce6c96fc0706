"""Tasks are declared once, by the datasets, and reach the model, the
evaluator and the tools from there."""
import copy
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmhad.apis import init_model
from mmhad.engine import LifelongRunner
from mmhad.registry import DATASETS, METRICS, MODELS
from mmhad.tasks import DepthTask, build_tasks, config_tasks
from tests.conftest import REPO_ROOT, TASKS, TINY_ARCHITECTURE, tiny_cfg


def test_every_shipped_config_declares_its_tasks_once():
    """Only the datasets name the tasks: not the model, not the
    evaluator; train, val and test datasets declare the same ones."""
    for path in glob.glob(osp.join(REPO_ROOT, 'configs', '*', '*.py')):
        cfg = Config.fromfile(path)
        if 'architecture' not in cfg.get('model', {}):
            continue  # pretraining, studies
        name = osp.relpath(path, REPO_ROOT)
        assert 'tasks' not in cfg.model.architecture, name
        assert 'tasks' not in cfg.val_evaluator, name
        declared = cfg.train_dataloader.dataset.tasks
        assert isinstance(declared, dict) and declared, name
        for loader in ('val_dataloader', 'test_dataloader'):
            assert cfg[loader].dataset.tasks == declared, (name, loader)
        assert config_tasks(cfg) == declared


def test_dataset_keeps_the_declaration_in_its_metainfo(tiny_data_root):
    dataset = DATASETS.build(
        dict(type='MultiTaskNpyDataset', data_root=tiny_data_root,
             split='val', tasks=TASKS))
    assert dataset.tasks == list(TASKS)
    assert dataset.metainfo['tasks'] == TASKS
    names_only = DATASETS.build(
        dict(type='MultiTaskNpyDataset', data_root=tiny_data_root,
             split='val', tasks=['depth']))
    assert names_only.tasks == ['depth']
    assert 'tasks' not in names_only.metainfo


def test_build_tasks_is_the_one_builder():
    tasks = build_tasks(dict(depth=dict(type='DepthTask')))
    assert isinstance(tasks['depth'], DepthTask)
    assert tasks['depth'].name == 'depth'
    assert build_tasks(tasks)['depth'] is tasks['depth']  # built ones kept
    with pytest.raises(TypeError, match="task 'depth'"):
        build_tasks(dict(depth='DepthTask'))


def test_metric_scores_the_tasks_of_the_dataset_meta():
    metric = METRICS.build(dict(type='DenseTaskMetric'))
    with pytest.raises(ValueError, match='declares none'):
        metric.tasks
    metric.dataset_meta = dict(tasks=TASKS)
    assert list(metric.tasks) == list(TASKS)


def test_training_gives_the_model_the_dataset_s_tasks(tiny_data_root,
                                                      tmp_path):
    cfg = tiny_cfg('configs/baselines/finetune_r18_synthetic.py',
                   tiny_data_root, tmp_path / 'run')
    assert 'tasks' not in cfg.model.architecture
    runner = LifelongRunner.from_cfg(cfg)
    runner.train()
    assert list(runner.model.tasks) == list(TASKS)
    # the phase checkpoint names its tasks: a model built without them
    # loads it and predicts
    model_cfg = copy.deepcopy(cfg.model)
    model = init_model(Config(dict(model=model_cfg)),
                       str(tmp_path / 'run' / 'phase_3_normal.pth'))
    assert model.task_names == list(TASKS)
    with torch.no_grad():
        out = model(torch.rand(1, 3, 32, 40), mode='tensor')
    assert out['normal'].shape == (1, 3, 32, 40)


def test_a_second_different_declaration_is_refused(tiny_data_root,
                                                   tmp_path):
    cfg = tiny_cfg('configs/baselines/finetune_r18_synthetic.py',
                   tiny_data_root, tmp_path)
    other = copy.deepcopy(TASKS)
    other['semantic']['num_classes'] = 9
    cfg.model.architecture.tasks = other
    with pytest.raises(ValueError, match='Declare the tasks once'):
        LifelongRunner.from_cfg(cfg).train()


def test_a_model_without_tasks_says_where_they_come_from():
    arch = {k: v for k, v in TINY_ARCHITECTURE.items() if k != 'tasks'}
    model = MODELS.build(dict(type='LifelongAlgorithm', architecture=arch))
    with pytest.raises(KeyError, match='train_dataloader.dataset.tasks'):
        model.begin_phase(1, ['semantic'])
