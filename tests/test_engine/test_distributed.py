"""Two CPU processes (gloo, via torchrun) train like one process with the
same global batch."""
import glob
import json
import os
import os.path as osp
import re
import subprocess
import sys

import numpy as np
import pytest
import torch.distributed as dist

from mmhad.datasets.synthetic_indoor import generate_synthetic_indoor
from mmhad.study.local import free_port
from tests.conftest import REPO_ROOT, tiny_cfg

pytestmark = pytest.mark.skipif(
    not dist.is_gloo_available(), reason='needs the gloo backend')


def fully_valid_rooms(root):
    """Tiny rooms without invalid pixels.

    With invalid pixels each process averages its loss over its own valid
    pixels and DDP averages those means (as mmseg does), which weighs
    pixels slightly differently from one process; with every pixel valid
    the two are the same computation.
    """
    generate_synthetic_indoor(
        root, num_train=12, num_val=6, height=32, width=40, seed=1)
    for label_file in glob.glob(osp.join(root, '*', 'label', '*.npy')):
        split_dir = osp.dirname(osp.dirname(label_file))
        name = osp.basename(label_file)
        files = {k: osp.join(split_dir, k, name)
                 for k in ('label', 'depth', 'normal')}
        maps = {k: np.load(f) for k, f in files.items()}
        invalid = maps['label'] < 0
        maps['label'][invalid] = 1
        maps['depth'][invalid] = 3.0
        maps['normal'][invalid] = (0.0, 0.0, -1.0)
        for key, path in files.items():
            np.save(path, maps[key])


def dump_config(config, data_root, work_dir, batch_size, path,
                shipped_norms=False):
    cfg = tiny_cfg(config, data_root, work_dir, max_epochs=2)
    cfg.train_dataloader.batch_size = batch_size
    if not shipped_norms:
        # SyncBatchNorm is GPU-only in PyTorch; GroupNorm has no batch
        # statistics and, without dropout, no per-process randomness, so
        # per-process batches of 2 equal one batch of 4.
        group_norm = dict(type='GN', num_groups=4, requires_grad=True)
        cfg.model.architecture.backbone.norm_cfg = group_norm
        cfg.model.architecture.decode_head.norm_cfg = group_norm
        cfg.model.architecture.decode_head.dropout_ratio = 0.0
    cfg.dump(str(path))
    return str(path)


def results(work_dir):
    with open(osp.join(work_dir, 'lifelong_results.json')) as f:
        return json.load(f)['phases']


# Fine-tuning: the same computation, up to float reduction order, in every
# phase. HAD: its group means (DB) and salient sets (SG) are statistics of
# each process's batch, not of the global batch, so only phase 1 (no
# distillation yet) is the same computation; later phases must run (the
# teacher is outside DDP, untrained heads are tolerated) and differ a little.
# The shipped norms (BatchNorm over each process's own batch, dropout with
# each process's own masks) make no phase the same computation: it must
# train every phase to finite results, and it differs from one process.
@pytest.mark.parametrize('config,exact_phases,shipped_norms', [
    ('configs/baselines/finetune_r18_synthetic.py', 3, False),
    ('configs/had/had_r18_synthetic.py', 1, False),
    ('configs/baselines/finetune_r18_synthetic.py', 0, True),
])
def test_two_processes_match_one_with_the_same_global_batch(
        config, exact_phases, shipped_norms, tmp_path):
    data = str(tmp_path / 'rooms')
    fully_valid_rooms(data)
    train = osp.join(REPO_ROOT, 'tools', 'train.py')
    env = dict(os.environ, OMP_NUM_THREADS='1')
    single = dump_config(config, data, tmp_path / 'single', 4,
                         tmp_path / 'single.py', shipped_norms)
    subprocess.run([sys.executable, train, single],
                   check=True, cwd=REPO_ROOT, env=env)
    two = dump_config(config, data, tmp_path / 'two', 2,
                      tmp_path / 'two.py', shipped_norms)
    launched = subprocess.run([
        sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
        f'--master_port={free_port()}', train, two, '--launcher', 'pytorch'
    ], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    # the launcher's summary and the failing rank's last words
    assert launched.returncode == 0, launched.stderr[-3000:]

    one, both = results(tmp_path / 'single'), results(tmp_path / 'two')
    assert [p['phase'] for p in both] == [1, 2, 3]
    for want, have in zip(one[:exact_phases], both):
        for task, values in want['metrics'].items():
            for name, value in values.items():
                assert have['metrics'][task][name] == pytest.approx(
                    value, rel=1e-5, abs=1e-5), (want['phase'], task, name)
    for phase in both:
        assert all(np.isfinite(v) for m in phase['metrics'].values()
                   for v in m.values())
    if shipped_norms:
        assert both[0]['metrics'] != one[0]['metrics']
    log = glob.glob(str(tmp_path / 'two' / '*' / '*.log'))[0]
    assert 'Distributed training: True' in open(log).read()


def run_files(work_dir):
    """The files a run leaves, relative to its work dir, with mmengine's
    run timestamps (``20261205_224512``, which differ between any two runs)
    written as ``<timestamp>``."""
    return {
        re.sub(r'\d{8}_\d{6}', '<timestamp>', osp.relpath(path, work_dir))
        for path in glob.glob(osp.join(work_dir, '**', '*'), recursive=True)
        if osp.isfile(path)
    }


def test_dist_train_sh_runs_every_default_hook_and_exits_0(tmp_path):
    """``tools/dist_train.sh CONFIG 2`` on the CPU (gloo): the shipped
    synthetic config's hooks all run (the forgetting strip, which rank 0
    draws alone after rank 1 has left, builds the generated dataset), the
    launcher exits 0 and the run leaves the files of a one-process run."""
    from mmengine.config import Config
    data = str(tmp_path / 'rooms')
    configs = {}
    for name in ('single', 'two'):
        cfg = tiny_cfg('configs/had/had_r18_synthetic.py', data,
                       str(tmp_path / name), max_epochs=1)
        shipped = Config.fromfile(
            osp.join(REPO_ROOT, 'configs/had/had_r18_synthetic.py'))
        for loader in ('train_dataloader', 'val_dataloader',
                       'test_dataloader'):
            # the generating dataset as shipped, on a tiny set
            cfg[loader].dataset = shipped[loader].dataset
            cfg[loader].dataset.update(data_root=data, num_train=12,
                                       num_val=4, height=32, width=40)
        cfg.train_dataloader.batch_size = 4 if name == 'single' else 2
        configs[name] = str(tmp_path / f'{name}.py')
        cfg.dump(configs[name])
    env = dict(os.environ, OMP_NUM_THREADS='1', PORT=str(free_port()))
    subprocess.run([sys.executable, osp.join(REPO_ROOT, 'tools', 'train.py'),
                    configs['single']], check=True, cwd=REPO_ROOT, env=env)
    launched = subprocess.run(
        ['bash', osp.join(REPO_ROOT, 'tools', 'dist_train.sh'),
         configs['two'], '2'], cwd=REPO_ROOT, env=env,
        capture_output=True, text=True)
    assert launched.returncode == 0, launched.stderr[-3000:]
    single, two = run_files(tmp_path / 'single'), run_files(tmp_path / 'two')
    assert 'forgetting/forgetting_0.png' in two
    assert {'phase_1_semantic.pth', 'phase_3_normal.pth',
            'lifelong_results.json'} <= two
    # the dumped config is named after the file it came from
    assert {f.replace('two.py', 'single.py') for f in two} == single
