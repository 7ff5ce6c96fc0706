"""A phase checkpoint written by an earlier mmhad (commit 3c953bc, before
the tasks left the model and the reference protocol's quirks became types
of their own) loads into today's code and predicts and scores as it did
then (tests/data/checkpoint_3c953bc/record.json says how it was made)."""
import json
import os.path as osp
import subprocess
import sys

import pytest
import torch

from mmhad.apis import init_model
from tests.conftest import REPO_ROOT, tiny_cfg

FOLDER = osp.join(REPO_ROOT, 'tests', 'data', 'checkpoint_3c953bc')
CHECKPOINT = osp.join(FOLDER, 'phase_3_normal.pth')
CONFIG = 'configs/had/had_reference_r18_synthetic.py'


@pytest.fixture(scope='module')
def record():
    with open(osp.join(FOLDER, 'record.json')) as f:
        return json.load(f)


def test_it_predicts_as_it_did(record, tiny_data_root, tmp_path):
    model = init_model(tiny_cfg(CONFIG, tiny_data_root, tmp_path),
                       CHECKPOINT)
    assert model.task_names == ['semantic', 'depth', 'normal']
    torch.manual_seed(0)
    image = torch.rand(1, 3, 32, 40)
    with torch.no_grad():
        preds = model(image, mode='tensor')
    for task, values in record['predictions_every_97th_value'].items():
        # bit-identical on the machine that made it; CPUs differ in the
        # last bits
        torch.testing.assert_close(preds[task].flatten()[::97],
                                   torch.tensor(values), rtol=1e-4,
                                   atol=1e-5)


@pytest.mark.slow  # a test run in a subprocess: about 15 s
def test_tools_test_scores_it_as_its_run_did(record, tiny_data_root,
                                             tmp_path):
    config = str(tmp_path / 'tiny_had_reference.py')
    tiny_cfg(CONFIG, tiny_data_root, tmp_path).dump(config)
    out = tmp_path / 'metrics.json'
    subprocess.run([sys.executable, osp.join(REPO_ROOT, 'tools', 'test.py'),
                    config, CHECKPOINT, '--work-dir', str(tmp_path),
                    '--out', str(out)], check=True, cwd=REPO_ROOT)
    metrics = json.loads(out.read_text())
    for task, values in record['phase_3_metrics'].items():
        for name, value in values.items():
            assert metrics[f'{task}/{name}'] == pytest.approx(
                value, rel=1e-4, abs=1e-4), (task, name)
