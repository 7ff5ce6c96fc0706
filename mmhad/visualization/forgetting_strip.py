"""The forgetting strip: every task's prediction after every phase."""
import glob
import os
import os.path as osp
import re
from typing import List, Sequence

import numpy as np
from mmengine.config import Config

from mmhad.registry import DATASETS
from .multitask_visualizer import render_row, to_uint8_image


def phase_checkpoints(run_dir: str) -> list:
    """The run's phase checkpoints, in phase order."""
    found = []
    for path in glob.glob(osp.join(run_dir, 'phase_*.pth')):
        match = re.match(r'phase_(\d+)_.+\.pth$', osp.basename(path))
        if match:
            found.append((int(match.group(1)), path))
    if not found:
        raise FileNotFoundError(f'no phase_<t>_<task>.pth in {run_dir}')
    return [path for _, path in sorted(found)]


def run_config(run_dir: str) -> Config:
    """The config the run dumped into its work dir."""
    dumps = [p for p in glob.glob(osp.join(run_dir, '*.py'))]
    if not dumps:
        raise FileNotFoundError(f'no config dump (*.py) in {run_dir}')
    return Config.fromfile(sorted(dumps)[0])


def strips(run_dir: str, indices: Sequence[int], out_dir: str) -> List[str]:
    """Write one strip per validation image index (see the tool
    ``tools/analysis/forgetting_strip.py``); returns the files."""
    from mmhad.apis import inference_model, init_model
    cfg = run_config(run_dir)
    checkpoints = phase_checkpoints(run_dir)
    models = [init_model(cfg, path) for path in checkpoints]
    dataset = DATASETS.build(cfg.val_dataloader.dataset)
    os.makedirs(out_dir, exist_ok=True)
    final = models[-1]
    written = []
    for index in indices:
        item = dataset[index]
        image = item['inputs'].permute(1, 2, 0).numpy()
        gts = item['data_samples']
        preds = [inference_model(model, image) for model in models]
        size = image.shape[:2]
        picture = [np.concatenate(
            [to_uint8_image(image)] +
            [np.full((*size, 3), 255, np.uint8)] * len(models), axis=1)]
        for name in final.task_names:
            task = final.tasks[name]
            picture.append(render_row(
                task, gts.get(task.gt_key),
                [pred.get(task.pred_key) for pred in preds], size))
        picture = np.concatenate(picture)
        path = osp.join(out_dir, f'forgetting_{index}.png')
        from PIL import Image
        Image.fromarray(picture).save(path)
        written.append(path)
    return written
