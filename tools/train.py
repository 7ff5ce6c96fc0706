"""Train a lifelong method: ``python tools/train.py CONFIG [options]``."""
import argparse
import logging
import os
import os.path as osp

import torch
from mmengine.config import Config, DictAction
from mmengine.logging import MMLogger, print_log

import mmhad  # noqa: F401
from mmhad.engine import LifelongRunner, check_new_run
from mmhad.registry import RUNNERS
from mmhad.utils import (check_hook_arguments, distributed_session,
                         unread_key_warnings)


def parse_args():
    parser = argparse.ArgumentParser(
        description='Train a lifelong dense-prediction method')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        action='store_true',
        default=False,
        help='continue the run in the work dir from its latest readable '
        'checkpoint (an epoch checkpoint, or the last finished phase\'s '
        'phase_<t>_<task>.pth); from phase 1 when it holds none')
    parser.add_argument(
        '--overwrite',
        action='store_true',
        default=False,
        help='start a new run in a work dir that holds an earlier run; its '
        'files are moved to <work-dir>/replaced_<time>/, nothing is deleted')
    parser.add_argument(
        '--resume-from',
        metavar='CHECKPOINT',
        help='resume from this checkpoint, e.g. a phase-end checkpoint '
        'phase_<t>_<task>.pth of another run: training continues with '
        'phase t+1 (its teacher is the checkpoint\'s model)')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic-mixed-precision training (fp16 with '
        'dynamic loss scaling on GPU, bf16 autocast on CPU)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override some settings in the used config, the key-value pair '
        'in xxx=yyy format will be merged into config file. If the value to '
        'be overwritten is a list, it should be like key="[a,b]" or key=a,b '
        'It also allows nested list/tuple values, e.g. key="[(a,b),(c,d)]" '
        'Note that the quotation marks are necessary and that no white space '
        'is allowed.')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes --local_rank; torchrun sets LOCAL_RANK.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    file_keys = set(cfg.keys())
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    for warning in unread_key_warnings(file_keys, args.cfg_options or {}):
        print_log(warning, logger='current', level=logging.WARNING)
    check_hook_arguments(cfg)

    # work_dir: CLI > config > ./work_dirs/<config name>
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])

    if args.amp and not torch.cuda.is_available():
        # mmengine's AmpOptimWrapper needs an accelerator; on a CPU, bf16
        # autocast needs no loss scaling.
        print_log('--amp without CUDA: bf16 autocast on the CPU '
                  '(CPUAutocastOptimWrapper)', logger='current')
        cfg.optim_wrapper.type = 'CPUAutocastOptimWrapper'
    elif args.amp:
        optim_wrapper = cfg.optim_wrapper.type
        if optim_wrapper == 'AmpOptimWrapper':
            print_log(
                'AMP training is already enabled in your config.',
                logger='current',
                level=logging.WARNING)
        else:
            assert optim_wrapper == 'OptimWrapper', (
                '`--amp` is only supported when the optimizer wrapper type is '
                f'`OptimWrapper` but got {optim_wrapper}.')
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.loss_scale = 'dynamic'

    cfg.resume = args.resume or args.resume_from is not None
    # the global rank: torchrun sets RANK, Slurm SLURM_PROCID
    rank = int(os.environ.get('RANK', os.environ.get('SLURM_PROCID', 0)))
    if not cfg.resume and rank == 0:
        # Before the Runner writes its config dump and logs into the dir.
        try:
            check_new_run(cfg.work_dir, overwrite=args.overwrite,
                          logger=MMLogger.get_current_instance())
        except FileExistsError as err:
            raise SystemExit(f'error: {err}') from None
    if args.resume_from is not None:
        cfg.load_from = args.resume_from
    with distributed_session(cfg):
        # a runner_type of the config's, else the lifelong one
        runner = RUNNERS.build(cfg) if 'runner_type' in cfg else \
            LifelongRunner.from_cfg(cfg)
        runner.train()


if __name__ == '__main__':
    main()
