"""The configs of the paper's benchmarks run the protocol that made the
paper's tables (the authors' code), and only they quote its figures.

Pinned on the merged configs: the HAD loss (the reference bundle), the
network and its initialisation (torchvision ResNet with ImageNet weights,
torchvision-layout heads with PyTorch's default init), the loader (in order,
last partial batch dropped, no augmentation), the evaluation (per-batch
averages over batches as large as the training batch, the reference's
normal rules on NYUv2) and the schedule (Adam 1e-4, weight decay 1e-5, 20
epochs per phase, a fresh optimizer per phase, seed 4).
"""
import glob
import os.path as osp
import re

import pytest
from mmengine.config import Config

from tests.conftest import REPO_ROOT

#: Paper-named HAD configs and their backbone depth.
PAPER_NAMED = {
    'configs/had/had_r18_nyuv2.py': 18,
    'configs/had/had_r50_nyuv2.py': 50,
    'configs/had/had_r18_cityscapes.py': 18,
    'configs/had/had_r18_pascal-context.py': 18,
    'configs/had/had_r18_taskonomy.py': 18,
}
#: The paper's ablations, each one change to had_r18_nyuv2.py.
ABLATIONS = {
    'configs/had/had_wo-sg_r18_nyuv2.py': dict(sg_loss=None),
    'configs/had/had_wo-db_r18_nyuv2.py': dict(db_loss=None),
    'configs/had/had_arithmetic_r18_nyuv2.py': None,  # checked below
    'configs/had/had_bins5_r18_nyuv2.py': dict(groupings=dict(
        regression=dict(num_bins=5))),
    'configs/had/had_bins10_r18_nyuv2.py': dict(groupings=dict(
        regression=dict(num_bins=10))),
    'configs/had/had_bins15_r18_nyuv2.py': dict(groupings=dict(
        regression=dict(num_bins=15))),
}
#: Figures of the paper's tables (Delta_m and the ablations' changes).
PAPER_FIGURES = re.compile(
    r'32\.74|35\.71|24\.74|40\.83|32\.94|44\.36|10\.90|8\.47|44\.57|'
    r'1\.27|2\.84|6\.29|3\.64|5\.43|9\.72')


def load(config):
    return Config.fromfile(osp.join(REPO_ROOT, config))


def bundle(name):
    return load(f'configs/_base_/methods/{name}.py')[name]


def protocol_errors(cfg, depth=None):
    """What in ``cfg`` differs from the paper's protocol (empty: none)."""
    errors = []

    def expect(what, got, want):
        if got != want:
            errors.append(f'{what}: {got!r}, the protocol has {want!r}')

    arch = cfg.model.architecture
    if depth is not None:  # the reference network (None: another network)
        expect('data_preprocessor mean/std',
               (cfg.model.data_preprocessor.get('mean'),
                cfg.model.data_preprocessor.get('std')), (None, None))
        expect('backbone', arch.backbone.type, 'TorchvisionDilatedResNet')
        expect('backbone depth', arch.backbone.depth, depth)
        expect('backbone weights', arch.backbone.init_cfg,
               dict(type='Pretrained',
                    checkpoint=f'torchvision://resnet{depth}'))
        expect('head', arch.decode_head.type, 'TorchvisionDeepLabHead')
        expect('head in_channels', arch.decode_head.in_channels,
               512 if depth == 18 else 2048)
    if arch.decode_head.type == 'TorchvisionDeepLabHead':
        expect('head init', arch.decode_head.get('weight_init'), 'pytorch')
    train = cfg.train_dataloader
    expect('train shuffle', train.sampler.shuffle, False)
    expect('train drop_last', train.drop_last, True)
    random_steps = [t['type'] for t in train.dataset.pipeline
                    if 'Random' in t['type']]
    expect('augmentation', random_steps, [])
    expect('val batch', cfg.val_dataloader.batch_size, train.batch_size)
    expect('evaluation average', cfg.val_evaluator.get('average'), 'batch')
    expect('test evaluation average', cfg.test_evaluator.get('average'),
           'batch')
    expect('optimizer', dict(cfg.optim_wrapper.optimizer),
           dict(type='Adam', lr=1e-4, weight_decay=1e-5))
    expect('lr schedule', cfg.param_scheduler, [])
    expect('epochs per phase', cfg.train_cfg.max_epochs, 20)
    expect('optimizer per phase', cfg.train_cfg.optimizer_policy, 'rebuild')
    expect('phase split', cfg.train_cfg.split, 'contiguous')
    expect('seed', cfg.randomness.seed, 4)
    tasks = train.dataset.tasks
    if train.dataset.type == 'NYUv2Dataset':
        expect('train batch', train.batch_size, 64)
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader'):
            normal = cfg[loader].dataset.tasks.normal
            expect(f'{loader} normal rules',
                   (normal.get('valid_rule'), normal.get('similarity')),
                   ('sum_nonzero', 'dot'))
    expect('validation tasks', cfg.val_dataloader.dataset.tasks, tasks)
    return errors


@pytest.mark.parametrize('config,depth', PAPER_NAMED.items())
def test_paper_named_configs_run_the_reference_protocol(config, depth):
    cfg = load(config)
    assert cfg.model.components.had == bundle('had_reference')
    assert protocol_errors(cfg, depth) == []


@pytest.mark.parametrize('config', [
    'configs/had/had_paper_r18_nyuv2.py', 'configs/had/had_paper_r50_nyuv2.py'
])
def test_paper_text_configs_run_the_paper_text_on_the_protocol(config):
    cfg = load(config)
    assert cfg.model.components.had == bundle('had_paper')
    assert protocol_errors(cfg, 50 if 'r50' in config else 18) == []


@pytest.mark.parametrize('config,change', ABLATIONS.items())
def test_ablations_change_one_thing_of_the_reference_protocol(config,
                                                              change):
    cfg = load(config)
    assert protocol_errors(cfg, 18) == []
    want = bundle('had_reference')
    if change is None:  # arithmetic class means
        want.db_loss.classification.mean = 'arithmetic'
    else:
        want.merge(change)
    assert cfg.model.components.had == want


def test_every_nyuv2_baseline_shares_the_protocol():
    """A method put beside HAD on NYUv2 runs the same protocol, unless its
    name says otherwise (``-mm``: mmhad's own protocol)."""
    for path in sorted(glob.glob(osp.join(REPO_ROOT, 'configs', 'baselines',
                                          '*_nyuv2.py'))):
        config = osp.relpath(path, REPO_ROOT)
        if '-mm_' in config:
            continue
        depth = None if 'v1c' in config else (50 if 'r50' in config else 18)
        assert protocol_errors(load(config), depth) == [], config


def test_mmhad_protocol_differs_where_it_says():
    cfg = load('configs/baselines/finetune-mm_r18_nyuv2.py')
    fields = [error.split(':')[0] for error in protocol_errors(cfg, 18)]
    assert fields == [
        'head init', 'train shuffle', 'val batch', 'evaluation average',
        'test evaluation average', 'train_dataloader normal rules',
        'val_dataloader normal rules', 'test_dataloader normal rules'
    ]
    assert cfg.model.architecture.decode_head.weight_init == 'mmcv'
    assert cfg.train_dataloader.sampler.shuffle is True
    assert cfg.val_evaluator.average == 'pixel'


def test_only_configs_of_the_protocol_quote_paper_figures():
    quoting = []
    for path in sorted(glob.glob(osp.join(REPO_ROOT, 'configs', '*',
                                          '*.py'))):
        comments = ''.join(line for line in open(path)
                           if line.lstrip().startswith('#'))
        # a study quotes the paper's figures as the question it tests; it
        # trains the configs it names, which are checked here themselves
        if osp.dirname(path).endswith(osp.join('configs', 'studies')):
            continue
        if PAPER_FIGURES.search(comments):
            quoting.append(osp.relpath(path, REPO_ROOT))
    assert 'configs/had/had_r18_nyuv2.py' in quoting
    for config in quoting:
        cfg = load(config)
        # an ablation's one change is pinned above
        if 'had' in cfg.model.components and config not in ABLATIONS:
            assert cfg.model.components.had == bundle('had_reference'), config
        assert protocol_errors(cfg) == [], config
