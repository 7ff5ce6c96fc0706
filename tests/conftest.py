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
TINY_ARCHITECTURE = dict(
    type='LifelongDensePredictor',
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
        align_corners=False))
TINY_MODEL = dict(
    type='LifelongAlgorithm',
    architecture=TINY_ARCHITECTURE,
    components=dict(had=dict(type='HAD')))
#: Channels of the tiny backbone's output (for settings sized by it).
TINY_FEAT_CHANNELS = 64

#: Keys of the architecture and of the algorithm; with the method's ``type``
#: every other keyword of :func:`tiny_model_cfg` is a component setting.
ARCHITECTURE_KEYS = ('backbone', 'decode_head', 'neck', 'align_corners',
                     'channels_last')
ALGORITHM_KEYS = ('distill_tasks_per_step', 'norm_eval_from_phase',
                  'teacher_cache', 'compile', 'data_preprocessor')
#: Component name of each method in the shipped configs.
COMPONENT_NAMES = dict(
    HAD='had', ReferenceHAD='had', LwF='lwf', LwM='lwm', EWC='ewc', MAS='mas',
    SPG='spg', SGP='sgp', Piggyback='piggyback', ExemplarReplay='replay',
    FeatureDistillation='fitnets', StructuredDistillation='structured_kd')


def tiny_model_cfg(type='HAD', old_task_weighting=None, components=None,
                   **settings):
    """The tiny model running one method: ``type`` names the method's
    component (``'FineTune'``: none), ``old_task_weighting`` a weight
    component (DKD), ``components`` more components after it; other
    keywords go to the architecture, the algorithm or the method's
    component, by name."""
    cfg = copy.deepcopy(TINY_MODEL)
    architecture = {k: v for k, v in settings.items()
                    if k in ARCHITECTURE_KEYS}
    cfg['architecture'].update(copy.deepcopy(architecture))
    cfg.update({k: v for k, v in settings.items() if k in ALGORITHM_KEYS})
    component = {k: v for k, v in settings.items()
                 if k not in ARCHITECTURE_KEYS + ALGORITHM_KEYS}
    cfg['components'] = {}
    if type != 'FineTune':
        cfg['components'][COMPONENT_NAMES[type]] = dict(type=type,
                                                        **component)
    cfg['components'].update(copy.deepcopy(components or {}))
    if old_task_weighting is not None:
        cfg['components']['dkd'] = old_task_weighting
    return cfg


def tiny_model(*args, tasks=TASKS, **settings):
    """The tiny model of :func:`tiny_model_cfg`, built, knowing ``tasks``
    (as the lifelong loop gives it the training set's declaration)."""
    from mmhad.registry import MODELS
    model = MODELS.build(tiny_model_cfg(*args, **settings))
    model.set_tasks(tasks)
    return model


def tiny_infer_cfg(tasks=TASKS, **settings):
    """A config of the tiny model for ``init_model``: its test set
    declares ``tasks`` (what a checkpoint without meta falls back to)."""
    return Config(dict(model=tiny_model_cfg(**settings),
                       test_dataloader=dict(dataset=dict(tasks=tasks))))


def tiny_cfg(config, data_root, work_dir, **train_cfg):
    """A real config with the tiny architecture and the tiny dataset
    swapped in; every method setting of the config (its components and
    algorithm knobs) is kept."""
    cfg = Config.fromfile(osp.join(REPO_ROOT, config))
    # the tasks are declared once, by the datasets, as in the shipped configs
    cfg.model.architecture = copy.deepcopy(TINY_ARCHITECTURE)
    for component in cfg.model.get('components', {}).values():
        if component and 'feat_channels' in component:
            # FitNets' regressor is sized by the backbone
            component.feat_channels = TINY_FEAT_CHANNELS
    for loader, split in [('train_dataloader', 'train'),
                          ('val_dataloader', 'val'),
                          ('test_dataloader', 'val')]:
        pipeline = cfg[loader].dataset.pipeline
        if pipeline[0]['type'] != 'LoadMultiTaskNpy':  # another file layout
            pipeline = [dict(type='LoadMultiTaskNpy'),
                        dict(type='PackMultiTaskInputs')]
        cfg[loader].dataset = dict(
            type='MultiTaskNpyDataset',
            data_root=data_root,
            split=split,
            tasks=copy.deepcopy(TASKS),
            pipeline=pipeline)
        # tiny data: worker processes would cost more than they save
        cfg[loader].update(batch_size=4, num_workers=0,
                           persistent_workers=False)
    for evaluator in ('val_evaluator', 'test_evaluator'):
        cfg[evaluator].pop('tasks', None)  # the dataset's
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
