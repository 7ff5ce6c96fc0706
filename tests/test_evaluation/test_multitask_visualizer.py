"""The multi-task picture: input, then gt | pred per task."""
import numpy as np
import torch

from mmhad.registry import VISUALIZERS
from mmhad.structures import MultiTaskDataSample
from tests.conftest import TASKS


def test_panel_puts_gt_beside_pred_with_invalid_pixels_grey(tmp_path):
    visualizer = VISUALIZERS.build(dict(
        type='MultiTaskVisualizer', name='mt_vis_test', tasks=TASKS,
        save_dir=str(tmp_path)))
    h, w = 6, 8
    sample = MultiTaskDataSample()
    sample.gt_semantic = torch.randint(0, 7, (h, w)).float()
    sample.gt_semantic[0, 0] = -1  # ignored
    sample.pred_semantic = torch.randint(0, 7, (h, w))
    depth = torch.rand(1, h, w) + 1
    depth[0, 2, 3] = 0  # no depth there
    sample.gt_depth = depth
    sample.pred_depth = depth + 0.1
    sample.gt_normal = torch.nn.functional.normalize(
        torch.randn(3, h, w), dim=0)
    image = np.random.default_rng(0).random((h, w, 3))
    picture = visualizer.add_datasample('sample', image, sample,
                                        out_file=str(tmp_path / 'p.png'))
    # input row, then semantic, depth, normal rows; gt | pred columns
    assert picture.shape == (4 * h, 2 * w, 3)
    assert (tmp_path / 'p.png').is_file()
    grey = np.array([128, 128, 128])
    semantic_gt = picture[h:2 * h, :w]
    assert (semantic_gt[0, 0] == grey).all()
    depth_gt, depth_pred = picture[2 * h:3 * h, :w], picture[2 * h:3 * h, w:]
    assert (depth_gt[2, 3] == grey).all() and (depth_pred[2, 3] == grey).all()
    # no normal prediction: a blank cell
    assert (picture[3 * h:, w:] == 255).all()
    # the dataset's palette colours its classes
    visualizer.dataset_meta = dict(palette=[[i * 30, 0, 0] for i in range(7)])
    sample.gt_semantic[1, 1] = 4
    recoloured = visualizer.add_datasample('sample', image, sample)
    assert recoloured[h + 1, 1].tolist() == [120, 0, 0]
    # without gt, only predictions are drawn
    only_pred = visualizer.add_datasample('sample', image, sample,
                                          draw_gt=False)
    assert (only_pred[h:2 * h, :w] == 255).all()


def test_test_py_show_dir_writes_a_picture_per_image(tiny_data_root,
                                                     tmp_path):
    import glob
    import os
    import subprocess
    import sys

    from mmengine.runner import Runner
    from PIL import Image

    from tests.conftest import REPO_ROOT, tiny_cfg
    work = tmp_path / 'run'
    cfg = tiny_cfg('configs/baselines/finetune_r18_synthetic.py',
                   tiny_data_root, work)
    Runner.from_cfg(cfg).train()
    config = str(tmp_path / 'cfg.py')
    cfg.dump(config)
    show = tmp_path / 'show'
    subprocess.run([
        sys.executable, os.path.join(REPO_ROOT, 'tools', 'test.py'), config,
        str(work / 'phase_3_normal.pth'), '--show-dir', str(show),
        '--work-dir', str(tmp_path / 'test')
    ], check=True, cwd=REPO_ROOT,
        env=dict(os.environ, OMP_NUM_THREADS='1'))
    pictures = sorted(glob.glob(str(show / '*.png')))
    assert len(pictures) == 6  # the tiny validation split
    assert np.asarray(Image.open(pictures[0])).shape == (4 * 32, 2 * 40, 3)


def test_hook_sends_validation_pictures_tagged_with_the_phase(
        tiny_data_root, tmp_path):
    import glob

    from mmengine.runner import Runner

    from tests.conftest import tiny_cfg
    cfg = tiny_cfg('configs/baselines/finetune_r18_synthetic.py',
                   tiny_data_root, tmp_path / 'run')
    cfg.custom_hooks.append(
        dict(type='MultiTaskVisualizationHook', interval=3))
    Runner.from_cfg(cfg).train()
    # LocalVisBackend: vis_image/<tag>_<step>.png; 6 val images, every 3rd
    images = sorted(glob.glob(str(tmp_path / 'run' / '*' / 'vis_data' /
                                  'vis_image' / '*.png')))
    names = [p.split('vis_image/')[1] for p in images]
    assert len(names) == 2 * 3  # 2 images x 3 phases
    assert any(n.startswith('phase1') for n in names)
    assert any(n.startswith('phase3') for n in names)
