"""The forgetting strip: each task's prediction after every phase."""
import os.path as osp
import sys

import numpy as np
from mmengine.runner import Runner
from PIL import Image

from tests.conftest import REPO_ROOT, tiny_cfg

sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'analysis'))
from mmhad.visualization import strips  # noqa: E402


def test_strip_has_a_row_per_task_and_a_column_per_phase(tiny_data_root,
                                                         tmp_path):
    work = tmp_path / 'run'
    Runner.from_cfg(tiny_cfg('configs/baselines/finetune_r18_synthetic.py',
                             tiny_data_root, work)).train()
    path, = strips(str(work), [2], str(tmp_path / 'strips'))
    picture = np.asarray(Image.open(path))
    # input row + semantic, depth, normal; gt + 3 phases; 32 x 40 images
    assert picture.shape == (4 * 32, 4 * 40, 3)
    # depth before its phase (phase 1 column) is blank
    assert (picture[2 * 32:3 * 32, 40:80] == 255).all()
    # semantic is predicted after every phase
    assert not (picture[32:64, 40:80] == 255).all()


def test_browse_dataset_draws_every_task_of_the_training_pipeline(
        tiny_data_root, tmp_path):
    from browse_dataset import browse
    cfg = tiny_cfg('configs/baselines/finetune_r18_synthetic.py',
                   tiny_data_root, tmp_path)
    cfg.train_dataloader.dataset.pipeline = [
        dict(type='LoadMultiTaskNpy'),
        dict(type='RandomHorizontalFlip', prob=1.0),
        dict(type='PackMultiTaskInputs')]
    paths = browse(cfg, 3, str(tmp_path / 'browse'))
    assert len(paths) == 3
    picture = np.asarray(Image.open(paths[0]))
    # input + semantic, depth, normal rows; ground truth only
    assert picture.shape == (4 * 32, 2 * 40, 3)
    assert (picture[32:, 40:] == 255).all()
