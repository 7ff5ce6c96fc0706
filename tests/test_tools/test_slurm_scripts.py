"""The Slurm launchers hand srun one process per GPU and the slurm
launcher (srun itself is faked: it prints what it was given)."""
import os
import subprocess

import pytest

from tests.conftest import REPO_ROOT


@pytest.mark.parametrize('script,target', [('slurm_train.sh', 'train.py'),
                                           ('slurm_test.sh', 'test.py')])
def test_slurm_script_passes_everything_to_srun(script, target, tmp_path):
    fake = tmp_path / 'srun'
    fake.write_text('#!/usr/bin/env bash\necho "$@"\n')
    fake.chmod(0o755)
    env = dict(os.environ, PATH=f'{tmp_path}:{os.environ["PATH"]}',
               GPUS='16', GPUS_PER_NODE='8')
    out = subprocess.run(
        ['bash', os.path.join(REPO_ROOT, 'tools', script), 'gpu', 'had',
         'configs/had/had_r18_nyuv2.py', 'arg4', '--cfg-options', 'a=1'],
        env=env, capture_output=True, text=True, check=True).stdout
    assert '-p gpu' in out and '--ntasks=16' in out
    assert '--ntasks-per-node=8' in out and '--gres=gpu:8' in out
    assert f'tools/{target} configs/had/had_r18_nyuv2.py' in out
    assert '--launcher=slurm --cfg-options a=1' in out
