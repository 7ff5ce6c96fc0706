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
from mmhad.tasks import DepthTask, build_tasks, config_tasks, trained_tasks
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
    """``tasks`` declares (a dict, kept in the metainfo), ``task_names``
    selects; a list in ``tasks``, the old spelling of a selection, still
    selects, with a warning."""
    def build(**kwargs):
        return DATASETS.build(dict(type='MultiTaskNpyDataset',
                                   data_root=tiny_data_root, split='val',
                                   **kwargs))

    dataset = build(tasks=TASKS)
    assert dataset.task_names == list(TASKS)
    assert dataset.metainfo['tasks'] == TASKS
    some = build(tasks=TASKS, task_names=['depth'])
    assert some.task_names == ['depth'] and some.metainfo['tasks'] == TASKS
    names_only = build(task_names=['depth'])
    assert names_only.task_names == ['depth']
    assert 'tasks' not in names_only.metainfo
    with pytest.warns(DeprecationWarning, match='that is task_names now'):
        old = build(tasks=['depth'])
    assert old.task_names == ['depth'] and 'tasks' not in old.metainfo
    with pytest.raises(KeyError, match=r"task_names \['edge'\] are not "
                       'among the declared'):
        build(tasks=TASKS, task_names=['edge'])


def test_build_tasks_is_the_one_builder():
    tasks = build_tasks(dict(depth=dict(type='DepthTask')))
    assert isinstance(tasks['depth'], DepthTask)
    assert tasks['depth'].name == 'depth'
    assert build_tasks(tasks)['depth'] is tasks['depth']  # built ones kept
    with pytest.raises(TypeError, match="task 'depth'"):
        build_tasks(dict(depth='DepthTask'))


def test_metric_scores_the_tasks_of_the_dataset_meta():
    metric = METRICS.build(dict(type='DenseTaskMetric'))
    with pytest.raises(ValueError, match='declares no task'):
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


def test_tasks_are_not_the_model_s_to_declare(tiny_data_root, tmp_path):
    """A config that still names tasks on the model is refused, saying
    where they go; a model that knows tasks refuses a different
    declaration."""
    cfg = tiny_cfg('configs/baselines/finetune_r18_synthetic.py',
                   tiny_data_root, tmp_path)
    cfg.model.architecture.tasks = TASKS
    with pytest.raises(ValueError, match=r'model.architecture.tasks: .*'
                       r'train_dataloader.dataset.tasks'):
        MODELS.build(cfg.model)
    model = MODELS.build(dict(type='LifelongAlgorithm',
                              architecture=TINY_ARCHITECTURE))
    model.set_tasks(TASKS)
    other = copy.deepcopy(TASKS)
    other['semantic']['num_classes'] = 9
    with pytest.raises(ValueError, match='Declare the tasks once'):
        model.set_tasks(other)


def test_a_trained_model_s_tasks_are_its_checkpoint_s():
    """What tools/test.py and init_model both read: the checkpoint's
    record of its training set's declaration, else the config's."""
    cfg = Config(dict(test_dataloader=dict(dataset=dict(tasks=TASKS))))
    depth_only = dict(depth=dict(type='DepthTask'))
    state = dict(meta=dict(dataset_meta=dict(tasks=depth_only)))
    assert trained_tasks(cfg, state) == depth_only
    assert trained_tasks(cfg, dict(meta={})) == TASKS
    assert trained_tasks(cfg) == TASKS


def test_a_model_without_tasks_says_where_they_come_from():
    model = MODELS.build(dict(type='LifelongAlgorithm',
                              architecture=TINY_ARCHITECTURE))
    with pytest.raises(KeyError, match='train_dataloader.dataset.tasks'):
        model.begin_phase(1, ['semantic'])
