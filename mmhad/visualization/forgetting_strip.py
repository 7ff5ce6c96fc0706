"""The forgetting strip: every task's prediction after every phase."""
import glob
import os
import os.path as osp
import re
from typing import List, Sequence

import numpy as np
from mmengine.config import Config

from mmhad.registry import DATASETS
from .multitask_visualizer import render_task


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
        height, width = image.shape[:2]
        blank = np.full((height, width, 3), 255, np.uint8)
        rows = [[(np.clip(image, 0, 1) * 255).astype(np.uint8)] +
                [blank] * len(models)]
        for name in final.task_names:
            task = final.tasks[name]
            gt = gts.get(task.gt_key)
            valid = task.valid_mask(gt[None])[0].numpy() if gt is not None \
                else None
            value_range = None
            if gt is not None and task.FAMILY == 'regression' and \
                    gt.shape[0] == 1 and valid.any():
                shown = gt[0].numpy()[valid]
                value_range = (float(shown.min()), float(shown.max()))
            row = [render_task(task, gt, value_range) if gt is not None
                   else blank]
            for pred in preds:
                value = pred.get(task.pred_key)
                row.append(blank if value is None else
                           render_task(task, value, value_range))
            if valid is not None:
                for cell in row:
                    if cell is not blank:
                        cell[~valid] = (128, 128, 128)
            rows.append(row)
        picture = np.concatenate([np.concatenate(r, axis=1) for r in rows])
        path = osp.join(out_dir, f'forgetting_{index}.png')
        from PIL import Image
        Image.fromarray(picture).save(path)
        written.append(path)
    return written
