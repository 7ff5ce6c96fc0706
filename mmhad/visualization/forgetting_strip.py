"""The forgetting strip: every task's prediction after every phase."""
import glob
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

from mmengine.config import Config

from mmhad.engine.work_dir import phase_checkpoints as work_dir_phases
from mmhad.registry import DATASETS
from .figure_grid import Cell, Row, draw_grid, figure_to_array
from .multitask_visualizer import make_view, to_uint8_image


def phase_checkpoints(run_dir: str) -> list:
    """The run's phase checkpoints, in phase order."""
    return [path for _, _, path in _phases(run_dir)]


def _phases(run_dir: str) -> List[Tuple[int, str, str]]:
    """``(phase, task(s) learnt, path)`` of ``phase_<t>_<task>.pth``."""
    found = work_dir_phases(run_dir)
    if not found:
        raise FileNotFoundError(f'no phase_<t>_<task>.pth in {run_dir}')
    return found


def run_config(run_dir: str) -> Config:
    """The config the run dumped into its work dir."""
    dumps = [p for p in glob.glob(osp.join(run_dir, '*.py'))]
    if not dumps:
        raise FileNotFoundError(f'no config dump (*.py) in {run_dir}')
    return Config.fromfile(sorted(dumps)[0])


def phase_header(phase: int, learnt: str) -> str:
    """Column title of the predictions after a phase, e.g.
    ``'after phase 2\\n(learnt depth)'``."""
    return f'after phase {phase}\n(learnt {learnt.replace("+", ", ")})'


def draw_strip(image, gts: Dict, predictions: Sequence[Dict], tasks: Dict,
               headers: Sequence[str], title: str = '',
               meta: Optional[dict] = None):
    """The strip of one image as a matplotlib figure.

    A row per task (titled with its name): the input, its ground truth,
    then its prediction after every phase (captioned with its metric on
    this image; "not learnt yet" before the phase that learnt it), and a
    key: the class legend with the dataset's class names, or a colour bar
    with the unit. Ground truth and predictions of a row share one colour
    scale; pixels without ground truth are grey.

    Args:
        image (ndarray | Tensor): (H, W, 3) input, uint8 or float in
            [0, 1].
        gts (dict): Task name -> ground truth (or ``None``) as stored in a
            data sample.
        predictions (list[dict]): Per phase, task name -> prediction
            (``None`` where the phase's model has no head for it).
        tasks (dict): Task name -> task (``DenseTask``), in row order.
        headers (list[str]): Column title of each phase.
        title (str): Figure title.
        meta (dict, optional): Dataset meta (``classes``, ``palette``,
            ``units``).

    Returns:
        Figure: The matplotlib figure (Agg canvas).
    """
    meta = meta or {}
    image = to_uint8_image(image)
    rows = []
    for name, task in tasks.items():
        view = make_view(task, gts.get(name),
                         [pred.get(name) for pred in predictions], meta)
        items = [Cell(image),
                 Cell(view.picture(view.gt)) if view.gt is not None else
                 Cell(note='no ground truth')]
        for index, pred in enumerate(view.preds):
            items.append(Cell(view.picture(pred), caption=view.caption(
                index)) if pred is not None else Cell(note='not learnt yet'))
        items.append(view.key())
        rows.append(Row(name, items, view.sublabel))
    columns = ['input', 'ground truth'] + list(headers) + [None]
    return draw_grid(columns, rows, title, key_columns=[len(columns) - 1])


def strips(run_dir: str, indices: Sequence[int], out_dir: str) -> List[str]:
    """Write one strip per validation image index (see the tool
    ``tools/analysis/forgetting_strip.py`` and :func:`draw_strip`).

    Rows are the final model's tasks in the order they were learnt;
    columns the input, the ground truth and the prediction after each
    phase checkpoint ``phase_<t>_<task>.pth`` of ``run_dir``.

    Returns:
        list[str]: The PNG files written, ``forgetting_<index>.png``.
    """
    from PIL import Image

    from mmhad.apis import inference_model, init_model
    cfg = run_config(run_dir)
    phases = _phases(run_dir)
    models = [init_model(cfg, path) for _, _, path in phases]
    dataset = DATASETS.build(cfg.val_dataloader.dataset)
    meta = dict(getattr(dataset, 'metainfo', None) or {})
    os.makedirs(out_dir, exist_ok=True)
    final = models[-1]
    tasks = {name: final.tasks[name] for name in final.task_names}
    headers = [phase_header(phase, learnt) for phase, learnt, _ in phases]
    run = osp.basename(osp.normpath(run_dir))
    written = []
    for index in indices:
        item = dataset[index]
        image = item['inputs'].permute(1, 2, 0).numpy()
        sample = item['data_samples']
        gts = {name: sample.get(task.gt_key) for name, task in tasks.items()}
        preds = []
        for model in models:
            pred = inference_model(model, image)
            preds.append({name: pred.get(task.pred_key)
                          for name, task in tasks.items()})
        fig = draw_strip(image, gts, preds, tasks, headers,
                         f'{run}: validation image {index} after each phase',
                         meta)
        path = osp.join(out_dir, f'forgetting_{index}.png')
        Image.fromarray(figure_to_array(fig)).save(path)
        written.append(path)
    return written
