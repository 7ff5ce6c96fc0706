"""Draw what the training pipeline feeds the model, per task.

    python tools/analysis/browse_dataset.py CONFIG [--number 10] \\
        [--output-dir browse] [--cfg-options ...]

Each of the first ``--number`` training samples goes through the config's
training pipeline (augmentations included: flipped normals, rescaled depth)
and is drawn as one labelled figure (:class:`MultiTaskVisualizer`, ground
truth only): a row per task with the input beside its ground truth and the
dataset's class legend or a colour bar with the unit, pixels without
ground truth grey, to check a dataset and its transforms before a long run.
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction

from mmhad.registry import DATASETS, VISUALIZERS
from mmhad.tasks import config_tasks
from mmhad.utils import register_all_modules


def browse(cfg: Config, number: int, output_dir: str) -> list:
    """Write ``<output_dir>/<i>.png`` for the first ``number`` training
    samples; returns the files."""
    register_all_modules()
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    visualizer = VISUALIZERS.build(dict(
        type='MultiTaskVisualizer', name='browse_dataset'))
    # the tasks and the class names of the legend: the dataset's
    visualizer.dataset_meta = dict(getattr(dataset, 'metainfo', None) or {},
                                   tasks=config_tasks(cfg))
    os.makedirs(output_dir, exist_ok=True)
    written = []
    for index in range(min(number, len(dataset))):
        item = dataset[index]
        image = item['inputs'].permute(1, 2, 0).numpy()
        path = osp.join(output_dir, f'{index}.png')
        visualizer.add_datasample(str(index), image, item['data_samples'],
                                  draw_pred=False, out_file=path,
                                  title=f'training sample {index}')
        written.append(path)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--number', type=int, default=10)
    parser.add_argument('--output-dir', default='browse_dataset')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    for path in browse(cfg, args.number, args.output_dir):
        print(path)


if __name__ == '__main__':
    main()
