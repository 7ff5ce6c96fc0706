"""Evaluate a checkpoint on every task it has a head for:
``python tools/test.py CONFIG CHECKPOINT [options]``."""
import argparse
import json
import os
import os.path as osp

from mmengine.config import Config, DictAction

import mmhad  # noqa: F401
from mmhad.engine import LifelongRunner
from mmhad.registry import RUNNERS
from mmhad.utils import distributed_session


def parse_args():
    parser = argparse.ArgumentParser(
        description='Test a lifelong dense-prediction checkpoint')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file (e.g. a phase '
                        'checkpoint phase_2_depth.pth)')
    parser.add_argument(
        '--work-dir',
        help='the directory to save the file containing evaluation metrics')
    parser.add_argument(
        '--out', help='dump the metrics to this JSON file as well')
    parser.add_argument(
        '--show-dir',
        help='write a picture of every --show-interval-th test image (input, '
        'then ground truth | prediction per task) to this folder')
    parser.add_argument('--show-interval', type=int, default=1)
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file.')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint {args.checkpoint} not found')
    cfg.load_from = args.checkpoint
    # Testing needs neither the lifelong loop nor its per-phase data.
    cfg.train_dataloader = None
    cfg.train_cfg = None
    cfg.optim_wrapper = None
    cfg.param_scheduler = None
    # The model learns the tasks its checkpoint was trained on (as
    # init_model does) when the runner has read the file, before the
    # checkpoint's heads load into it
    cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [
        dict(type='TrainedTasksHook')
    ]
    if args.show_dir is not None:
        cfg.visualizer = dict(
            type='MultiTaskVisualizer',
            name=f'test_{osp.basename(args.checkpoint)}',
            vis_backends=[dict(type='LocalVisBackend')])
        cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [
            dict(type='MultiTaskVisualizationHook',
                 interval=args.show_interval, out_dir=args.show_dir)
        ]
    with distributed_session(cfg):
        # a runner_type of the config's, else the lifelong one
        runner = RUNNERS.build(cfg) if 'runner_type' in cfg else \
            LifelongRunner.from_cfg(cfg)
        metrics = runner.test()
        if args.out:
            with open(args.out, 'w') as f:
                json.dump(metrics, f, indent=2)


if __name__ == '__main__':
    main()
