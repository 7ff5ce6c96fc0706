"""Pretrain an encoder on a procedural pretext, then export its backbone.

``python tools/pretrain.py CONFIG [--work-dir DIR] [--resume] [--out FILE]``

Trains the config's ``PretextClassifier`` with mmengine's Runner (epoch
checkpoints, ``--resume`` continues a killed run from the last one), then
writes the backbone's weights to ``<work-dir>/backbone.pth`` (or ``--out``)
and a summary (iterations, last accuracy, wall time, machine) beside it.
A lifelong config takes the file with::

    model.architecture.backbone.init_cfg=dict(type='Pretrained',
                                               checkpoint=FILE)
"""
import argparse
import json
import os
import os.path as osp
import platform
import time

import torch
from mmengine.config import Config, DictAction
from mmengine.logging import MMLogger, print_log
from mmengine.runner import Runner

import mmhad  # noqa: F401
from mmhad.engine import check_new_run
from mmhad.models import save_backbone


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Pretrain an encoder and export its backbone')
    parser.add_argument('config', help='pretraining config (configs/pretrain)')
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    parser.add_argument(
        '--resume', action='store_true',
        help='continue the run in the work dir from its last checkpoint')
    parser.add_argument(
        '--overwrite', action='store_true',
        help='start again in a work dir that holds a run (its files are '
        'moved to <work-dir>/replaced_<time>/)')
    parser.add_argument(
        '--out', help='backbone file (default <work-dir>/backbone.pth)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, key=value')
    return parser.parse_args(argv)


def machine() -> str:
    """CPU model and the threads torch uses, for the summary."""
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return f'{cpu}, {torch.get_num_threads()} threads'


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if cfg.model.get('type') != 'PretextClassifier':
        raise SystemExit(
            f'error: {args.config} trains a {cfg.model.get("type")!r}; '
            'tools/pretrain.py exports the backbone of a PretextClassifier '
            '(configs/pretrain/)')
    cfg.work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
        'work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.resume = args.resume
    if not args.resume:
        try:
            check_new_run(cfg.work_dir, overwrite=args.overwrite,
                          logger=MMLogger.get_current_instance())
        except FileExistsError as err:
            raise SystemExit(f'error: {err}') from None
    start = time.time()
    runner = Runner.from_cfg(cfg)
    runner.train()
    seconds = time.time() - start

    model = runner.model.module if hasattr(runner.model,
                                           'module') else runner.model
    acc = runner.message_hub.get_scalar('train/acc')
    summary = dict(
        config=osp.basename(args.config),
        iterations=runner.iter,
        epochs=runner.epoch,
        images=runner.iter * cfg.train_dataloader.batch_size,
        last_train_acc=float(acc.current()) if acc is not None else None,
        # of this invocation: after --resume, only the part it trained
        wall_seconds=round(seconds, 1),
        machine=machine())
    out = args.out or osp.join(cfg.work_dir, 'backbone.pth')
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    save_backbone(model, out,
                  meta=dict(summary, backbone=cfg.model.backbone.type))
    with open(osp.splitext(out)[0] + '.json', 'w') as f:
        json.dump(summary, f, indent=2)
    print_log(f'backbone written to {out} ({summary})', logger='current')


if __name__ == '__main__':
    main()
