"""Check a downloaded dataset against a config before training on it.

    python tools/dataset_converters/check_dataset.py \\
        configs/had/had_r18_cityscapes.py \\
        --data-root data/cityscapes

Builds the config's training and validation datasets (which finds missing
folders and files), prints the layout it found (Taskonomy: which of its
three), the split's buildings that are not there, the number of samples and
files per task and split, and runs the pre-flight check of
:mod:`mmhad.datasets.data_check` on every file (the ``.npy`` layouts and
Taskonomy's PNGs; a dataset it cannot check file by file is named):
headers always, values unless ``--headers-only``. Exits 1, listing each bad
file or the missing ones, when something is wrong.
"""
import argparse
import os.path as osp
import sys

from mmengine.config import Config, DictAction
from mmengine.logging import MMLogger

from mmhad.registry import DATASETS
from mmhad.tasks import build_tasks, config_tasks
from mmhad.utils import register_all_modules


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Check a dataset against a config before training')
    parser.add_argument('config')
    parser.add_argument('--data-root', help='override the datasets\' '
                        'data_root')
    parser.add_argument('--headers-only', action='store_true',
                        help='read file headers only (fast), not values')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    register_all_modules()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    logger = MMLogger.get_instance('check_dataset')
    tasks = build_tasks(config_tasks(cfg))
    failed = False
    for loader in ('train_dataloader', 'val_dataloader'):
        dataset_cfg = cfg[loader].dataset
        if args.data_root:
            dataset_cfg.data_root = args.data_root
        try:
            dataset = DATASETS.build(dataset_cfg)
        except (FileNotFoundError, KeyError, ValueError) as err:
            print(f'{loader}: {err}')
            failed = True
            continue
        layout = getattr(dataset, 'layout_description', None)
        if layout:
            print(f'{loader}: layout {layout} in {dataset.data_root}')
        missing = getattr(dataset, 'missing_buildings', None)
        if missing:
            print(f'{loader}: {len(missing)} building(s) of the split not '
                  f'found, left out: {", ".join(missing)}')
        names = [n for n in getattr(dataset, 'task_names', tasks)
                 if n in tasks]
        infos = [dataset.get_data_info(i) for i in range(len(dataset))]
        counts = ', '.join(
            f'{n} '
            f'{sum(osp.isfile(info.get(f"{n}_path", "")) for info in infos)}'
            for n in names)
        print(f'{loader}: {len(dataset)} samples; annotation files: '
              f'{counts}')
        if not hasattr(dataset, 'check_files'):
            print(f'{loader}: {type(dataset).__name__} does not check its '
                  'files (no check_files; see mmhad.datasets.data_check.'
                  'FileCheckMixin)')
            continue
        try:
            dataset.check_files(loader, range(len(dataset)), names, tasks,
                                not args.headers_only, logger)
        except ValueError as err:
            print(err)
            failed = True
    print('bad files found' if failed else 'all files fine')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
