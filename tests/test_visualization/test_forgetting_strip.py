"""The forgetting strip: each task's prediction after every phase, as a
titled figure (a row per task, a column per phase)."""
import os.path as osp
import sys

import numpy as np
import torch
from PIL import Image

from mmhad.engine import LifelongRunner
from mmhad.registry import DENSE_TASKS
from mmhad.visualization import draw_strip, figure_texts, strips
from tests.conftest import REPO_ROOT, TASKS, tiny_cfg

sys.path.insert(0, osp.join(REPO_ROOT, 'tools', 'analysis'))


def test_strip_titles_rows_phases_and_keys():
    h, w = 4, 5
    tasks = {name: DENSE_TASKS.build(cfg, default_args=dict(name=name))
             for name, cfg in TASKS.items()}
    gts = dict(semantic=torch.zeros(h, w), depth=torch.ones(1, h, w),
               normal=torch.nn.functional.normalize(torch.ones(3, h, w),
                                                    dim=0))
    semantic = torch.zeros(h, w, dtype=torch.long)
    forgotten = semantic.clone()
    forgotten[0] = 3  # phase 3 took the top row to another class
    predictions = [
        dict(semantic=semantic),
        dict(semantic=semantic, depth=torch.full((1, h, w), 1.5)),
        dict(semantic=forgotten, depth=torch.full((1, h, w), 2.0),
             normal=gts['normal']),
    ]
    headers = ['after phase 1\n(learnt semantic)',
               'after phase 2\n(learnt depth)',
               'after phase 3\n(learnt normal)']
    fig = draw_strip(np.zeros((h, w, 3)), gts, predictions, tasks, headers,
                     'run: validation image 0',
                     dict(classes=('floor', 'wall', 'ceiling', 'bed', 'table',
                                   'cabinet', 'ball')))
    texts = figure_texts(fig)
    for text in ['run: validation image 0', 'input', 'ground truth',
                 *headers, 'semantic', 'depth', 'normal', 'floor', 'bed',
                 'depth (m)']:
        assert text in texts
    # depth before phase 2, normals before phase 3
    assert texts.count('not learnt yet') == 3
    # what each phase took away, as a number under its cell
    assert texts.count('pixel accuracy 100.0 %') == 2
    assert 'pixel accuracy 75.0 %' in texts  # 5 of 20 pixels wrong
    assert 'mean |error| 0.5 m' in texts and 'mean |error| 1 m' in texts
    assert 'mean angle error 0.0°' in texts


def test_strip_of_a_run_has_a_row_per_task_and_a_column_per_phase(
        tiny_data_root, tmp_path):
    work = tmp_path / 'run'
    LifelongRunner.from_cfg(
        tiny_cfg('configs/baselines/finetune_r18_synthetic.py',
                 tiny_data_root, work)).train()
    path, = strips(str(work), [2], str(tmp_path / 'strips'))
    assert osp.basename(path) == 'forgetting_2.png'
    height, width, channels = np.asarray(Image.open(path)).shape
    # three task rows of 32 x 40 maps upscaled to 224 x 280 cells; input,
    # ground truth and three phases
    assert channels == 3
    assert height > 3 * 224 and width > 5 * 280


def test_browse_dataset_draws_every_task_of_the_training_pipeline(
        tiny_data_root, tmp_path):
    from browse_dataset import browse

    from mmhad.visualization import MultiTaskVisualizer
    cfg = tiny_cfg('configs/baselines/finetune_r18_synthetic.py',
                   tiny_data_root, tmp_path)
    cfg.train_dataloader.dataset.pipeline = [
        dict(type='LoadMultiTaskNpy'),
        dict(type='RandomHorizontalFlip', prob=1.0),
        dict(type='PackMultiTaskInputs')]
    paths = browse(cfg, 3, str(tmp_path / 'browse'))
    assert len(paths) == 3
    height, width, _ = np.asarray(Image.open(paths[-1])).shape
    assert height > 3 * 224 and width > 2 * 280
    texts = figure_texts(
        MultiTaskVisualizer.get_instance('browse_dataset').last_figure)
    # ground truth only, titled; the tiny dataset names no classes
    assert 'training sample 2' in texts and 'ground truth' in texts
    assert 'prediction' not in texts and 'error' not in texts
    assert any(t.startswith('class ') for t in texts)
