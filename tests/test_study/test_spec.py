"""Study configs expanded into runs: names, overrides, orders, plans."""
import argparse
import os.path as osp

import pytest
from mmengine.config import Config, DictAction

from mmhad.study.spec import (Study, cfg_options, format_value, load_study,
                              train_command)
from tests.conftest import REPO_ROOT
from tests.test_study.helpers import TASKS, study_tool, write_study

FT = 'configs/baselines/finetune_r18_synthetic.py'
HAD = 'configs/had/had_r18_synthetic.py'
JOINT = 'configs/baselines/joint_r18_synthetic.py'


def make(tmp_path, **settings):
    base = dict(name='s', methods=dict(FT=FT, HAD=HAD), naive='FT',
                seeds=[0, 1], tasks=TASKS)
    base.update(settings)
    return Study(Config(base), str(tmp_path))


def test_runs_are_named_and_placed_by_every_factor(tmp_path):
    study = make(tmp_path, orders=[TASKS, 'depth,semantic,normal'],
                 benchmarks=dict(rooms=dict(dataset=dict(data_root='r'))),
                 regimes=dict(a=dict(), b=dict()))
    assert len(study.runs) == 2 * 2 * 2 * 2
    names = [r.name for r in study.runs]
    assert names[0] == 's/rooms/a/semantic-depth-normal/FT/seed0'
    assert 's/rooms/b/depth-semantic-normal/HAD/seed1' in names
    assert len(set(names)) == len(names)
    run = study.runs[-1]
    assert run.work_dir == osp.join(str(tmp_path), run.name)
    assert run.options['randomness.seed'] == 1
    assert run.options['train_cfg.task_order'] == [
        'depth', 'semantic', 'normal'
    ]
    assert study.select(['*/b/*/HAD/*']) == [
        r for r in study.runs if r.regime == 'b' and r.method == 'HAD'
    ]
    # a study without benchmarks, regimes or orders: the configs' own
    plain = make(tmp_path)
    assert [r.name for r in plain.runs][:2] == [
        's/default/default/config-order/FT/seed0',
        's/default/default/config-order/FT/seed1'
    ]
    assert 'train_cfg.task_order' not in plain.runs[0].options


def test_all_orders_and_joint_training_in_one_phase(tmp_path):
    study = make(tmp_path, methods=dict(FT=FT, Joint=JOINT), joint='Joint',
                 orders='all', seeds=[0])
    assert len(study.orders) == 6
    assert len({r.order_label for r in study.runs}) == 6
    joint = [r for r in study.runs if r.method == 'Joint'][2]
    ft = [r for r in study.runs if r.method == 'FT'][2]
    assert joint.options['train_cfg.task_order'] == [list(joint.order)]
    assert ft.options['train_cfg.task_order'] == list(ft.order)
    with pytest.raises(ValueError, match='permutation'):
        make(tmp_path, orders=[['semantic', 'depth']])


def test_overrides_apply_in_order_with_placeholders(tmp_path):
    study = make(
        tmp_path, seeds=[3],
        methods=dict(FT=FT, HAD=dict(config=HAD, options={
            'train_cfg.max_epochs': 2})),
        benchmarks=dict(rooms=dict(
            dataset=dict(type='SyntheticIndoorDataset'),
            options=dict(train_cfg=dict(max_epochs=9)))),
        regimes=dict(small=dict(
            dataset=dict(data_root='{data_dir}/{benchmark}_{regime}',
                         num_train=6),
            dataloader=dict(num_workers=0),
            options={'optim_wrapper.optimizer.lr': 1e-4})),
        options=dict(default_hooks=dict(logger=dict(interval=1))))
    ft, had = study.runs
    root = osp.join(str(tmp_path), 'data', 'rooms_small')
    for loader in ('train', 'val', 'test'):
        assert ft.options[f'{loader}_dataloader.dataset.data_root'] == root
        assert ft.options[f'{loader}_dataloader.dataset.type'] == \
            'SyntheticIndoorDataset'
        assert ft.options[f'{loader}_dataloader.num_workers'] == 0
    assert ft.options['train_cfg.max_epochs'] == 9  # the benchmark's
    assert had.options['train_cfg.max_epochs'] == 2  # the method's own
    assert had.options['default_hooks.logger.interval'] == 1
    command = train_command(had, resume=True)
    assert command[1:6] == [
        osp.join(REPO_ROOT, 'tools', 'train.py'),
        osp.join(REPO_ROOT, HAD), '--work-dir', had.work_dir, '--resume'
    ]
    assert 'optim_wrapper.optimizer.lr=0.0001' in command
    assert 'randomness.seed=3' in command


def test_options_read_back_unchanged_by_the_train_tool():
    options = {
        'a': None, 'b': True, 'c': 3, 'd': 3e-3, 'e': 'x/y_z-1.py',
        'f': [['semantic', 'depth']], 'g': (1, 2), 'h': [], 'i': (4, ),
        'j': 1e-10
    }
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parsed = parser.parse_args(['--cfg-options'] +
                               cfg_options(options)).cfg_options
    assert parsed == options
    for bad in ('two words', 'a,b', '3', 'None', '', '[x]'):
        with pytest.raises(ValueError):
            format_value(bad, 'key')
    with pytest.raises(ValueError):
        format_value([dict(a=1)], 'key')


def test_bad_names_and_references_are_refused(tmp_path):
    with pytest.raises(ValueError, match='folder name'):
        make(tmp_path, methods={'FT': FT, 'H A D': HAD})
    with pytest.raises(ValueError, match='naive'):
        make(tmp_path, naive='nope')
    with pytest.raises(FileNotFoundError):
        make(tmp_path, methods=dict(FT='configs/nowhere.py'))
    with pytest.raises(ValueError, match='unknown keys'):
        make(tmp_path, regimes=dict(a=dict(option=dict())))
    with pytest.raises(ValueError, match='distinct'):
        make(tmp_path, seeds=[1, 1])


def test_regime_files_inherit_with_base(tmp_path):
    study = load_study(
        write_study(tmp_path / 'study.py', methods=dict(FT=FT), naive='FT',
                    regimes=dict(
                        pretrained='configs/studies/regimes/pretrained.py',
                        scratch='configs/studies/regimes/scratch.py')),
        str(tmp_path))
    pretrained, scratch = study.runs
    assert study.name == 'study'
    assert not any(k.startswith('model.') for k in pretrained.options)
    assert scratch.options['model.architecture.backbone.init_cfg'] is None
    # the same images in both regimes
    assert set(pretrained.options.items()) < set(scratch.options.items())


@pytest.mark.parametrize('config,runs,groups', [
    ('comparison_rooms', 57, ['rooms/pretrained: 19 methods x 3 seeds x 1']),
    ('heldout', 138, ['rooms/weak: 7 methods', 'streets/scratch: 8 methods']),
    ('pretrained', 48, ['streets/pretrained: 8 methods x 3 seeds']),
    ('orders', 72, ['rooms/pretrained: 4 methods x 3 seeds x 6 task']),
])
def test_shipped_studies_dry_run(config, runs, groups, tmp_path, capsys):
    path = osp.join(REPO_ROOT, 'configs', 'studies', f'{config}.py')
    assert study_tool().main([path, '--dry-run', '--work-dir',
                              str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f'study {config} ({path}): {runs} runs' in out
    for group in groups:
        assert group in out
    assert f'{runs} new' in out
    assert out.count('  new       ') == runs
    assert 'tools/train.py' in out  # the first command
    # every override finds its place in every method's config
    assert 'warning' not in out


def test_overrides_without_a_place_are_named(tmp_path):
    from mmhad.study.spec import unplaced_options
    study = make(tmp_path, seeds=[0], options={
        'model.backbone.init_cfg': None,  # an older config shape
        'train_cfg.max_epochs': 1,
        'train_dataloader.dataset.num_train': 6})
    assert unplaced_options(study.runs) == {
        osp.join(REPO_ROOT, FT): ['model.backbone.init_cfg'],
        osp.join(REPO_ROOT, HAD): ['model.backbone.init_cfg']
    }


def test_prepare_data_generates_each_set_once(tmp_path):
    from mmhad.study.data import prepare_data
    study = make(
        tmp_path, seeds=[0, 1],
        benchmarks=dict(rooms=dict(dataset=dict(
            type='SyntheticIndoorDataset', data_root='{data_dir}/rooms',
            num_train=3, num_val=2, height=16, width=20))))
    messages = []
    assert prepare_data(study.runs, log=messages.append) == 1
    manifest = osp.join(str(tmp_path), 'data', 'rooms', 'manifest.json')
    assert osp.isfile(manifest)
    assert len(messages) == 1 and 'SyntheticIndoorDataset' in messages[0]
