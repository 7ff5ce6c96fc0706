"""tools/analysis/heldout_study.py: an alias of the held-out study config,
whose regimes are readable override files."""
import os.path as osp
import sys

from mmengine.config import Config

from mmhad.study import load_study
from tests.conftest import REPO_ROOT

sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'analysis'))
import heldout_study  # noqa: E402

HELDOUT = osp.join(REPO_ROOT, 'configs', 'studies', 'heldout.py')


def run(study, name):
    return next(r for r in study.runs if r.name == name)


def test_pretrained_regime_keeps_the_shipped_encoder_and_scratch_drops_it(
        tmp_path):
    study = load_study(HELDOUT, str(tmp_path))
    pretrained = run(study, 'heldout/streets/pretrained/'
                     'semantic-depth-normal/HAD/seed0').options
    scratch = run(study, 'heldout/streets/scratch/'
                  'semantic-depth-normal/HAD/seed0').options
    assert not any(k.startswith('model.') for k in pretrained)
    assert scratch['model.architecture.backbone.init_cfg'] is None
    assert scratch['optim_wrapper.optimizer.lr'] == 3e-3
    # the same images in both regimes
    assert all(scratch[k] == v for k, v in pretrained.items())
    assert len(scratch) > len(pretrained)
    for loader in ('train', 'val', 'test'):
        assert pretrained[f'{loader}_dataloader.dataset.type'] == \
            'SyntheticOutdoorDataset'
        assert pretrained[f'{loader}_dataloader.dataset.num_train'] == 480
        assert pretrained[f'{loader}_dataloader.dataset.num_val'] == 160
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs', 'had', 'had_r18_synthetic.py'))
    init_cfg = cfg.model.architecture.backbone.init_cfg
    assert init_cfg.type == 'Pretrained'
    assert osp.isfile(osp.join(REPO_ROOT, init_cfg.checkpoint))


def test_weak_regime_has_its_own_table_and_settings(tmp_path):
    study = load_study(HELDOUT, str(tmp_path))
    assert list(study.tables['rooms', 'weak']) == [
        'FT', 'LwF', 'HAD-paper', 'HAD-reference', 'HAD', 'HAD-scratch',
        'HAD-robust'
    ]
    weak = run(study, 'heldout/rooms/weak/semantic-depth-normal/HAD/seed2')
    assert weak.config.endswith('configs/had/had-mm_r18_nyuv2.py')
    # every method of the regime runs mmhad's own protocol, as when its
    # results were made, whether its config carries it or the regime does
    for method in ('FT', 'LwF', 'HAD-paper', 'HAD'):
        one = run(study,
                  f'heldout/rooms/weak/semantic-depth-normal/{method}/seed0')
        cfg = Config.fromfile(one.config)
        cfg.merge_from_dict(one.options)
        assert cfg.train_dataloader.sampler.shuffle is True, method
        assert cfg.val_evaluator.average == 'pixel', method
        assert cfg.model.architecture.decode_head.weight_init == 'mmcv'
        assert cfg.val_dataloader.dataset.tasks.normal.valid_rule == (
            'nonzero'), method
    options = weak.options
    assert options['train_dataloader.dataset.num_train'] == 240
    assert options['train_dataloader.dataset.data_root'] == osp.join(
        str(tmp_path), 'data', 'rooms_weak')
    assert options['train_cfg.max_epochs'] == 6
    assert options['optim_wrapper.optimizer.lr'] == 1e-4
    assert options['train_dataloader.batch_size'] == 8
    assert options['val_dataloader.num_workers'] == 0
    assert options['test_dataloader.persistent_workers'] is False
    assert options['model.architecture.backbone.init_cfg'] is None


def test_every_synthetic_method_config_exists():
    cfg = Config.fromfile(osp.join(REPO_ROOT, 'configs', 'studies', '_base_',
                                   'synthetic_methods.py'))
    assert len(cfg.methods) == 19
    for name, config in cfg.methods.items():
        assert osp.isfile(osp.join(REPO_ROOT, config)), name


def test_joint_training_keeps_one_phase_in_any_order(tmp_path):
    study = load_study(HELDOUT, str(tmp_path), dict(orders='all'))
    joint = run(study, 'heldout/rooms/pretrained/depth-semantic-normal/'
                'Joint/seed0')
    had = run(study, 'heldout/rooms/pretrained/depth-semantic-normal/'
              'HAD/seed0')
    assert joint.options['train_cfg.task_order'] == [[
        'depth', 'semantic', 'normal'
    ]]
    assert had.options['train_cfg.task_order'] == [
        'depth', 'semantic', 'normal'
    ]


def test_alias_selects_the_family_regime_and_methods(tmp_path, capsys):
    flags = [
        '--family', 'indoor', '--regime', 'demo', '--methods', 'HAD', 'LwF',
        '--seeds', '0', '1', '--order', 'depth,normal,semantic',
        '--work-dir', str(tmp_path), '--cfg-options',
        'train_cfg.max_epochs=2', '--dry-run'
    ]
    argv = heldout_study.study_argv(heldout_study.parse_args(flags))
    assert argv[:4] == [HELDOUT, '--work-dir', str(tmp_path), '--resume']
    assert 'heldout/rooms/scratch/*/FT/*' in argv
    assert 'heldout/rooms/scratch/*/LwF/*' in argv
    assert argv[argv.index('--cfg-options') + 1:] == [
        'seeds=[0,1]', 'orders=[[depth,normal,semantic]]',
        'options.train_cfg.max_epochs=2'
    ]
    heldout_study.main(flags)
    out = capsys.readouterr().out
    assert 'selected: 6 runs' in out
    assert 'heldout/rooms/scratch/depth-normal-semantic/HAD/seed1' in out
    assert 'train_cfg.max_epochs=2' in out
