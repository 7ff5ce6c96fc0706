"""Distributed training without GPUs (gloo), which mmengine 0.10.7 lacks."""
import os

import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.logging import print_log


def setup_cpu_distributed(cfg: Config) -> None:
    """Prepare a ``--launcher pytorch`` run on machines without CUDA.

    mmengine's launcher calls ``torch.cuda.set_device`` and wraps the model
    in DDP with ``device_ids=[LOCAL_RANK]``; both fail on CPU. Here the
    process group is created with the gloo backend first (mmengine then
    leaves it alone) and the DDP wrapper gets ``device_ids=None``. On CUDA
    machines nothing changes: ``env_cfg.dist_cfg.backend`` (NCCL by default)
    is used.

    Args:
        cfg (Config): The run's config, after ``--cfg-options``.
    """
    if cfg.get('launcher', 'none') == 'none' or torch.cuda.is_available():
        return
    backend = cfg.get('env_cfg', {}).get('dist_cfg', {}).get('backend')
    if backend not in (None, 'gloo'):
        print_log(
            f'no CUDA device: distributed backend {backend!r} replaced by '
            "'gloo' (set env_cfg.dist_cfg.backend='gloo' to silence this)",
            logger='current')
    if not dist.is_initialized():
        dist.init_process_group(
            backend='gloo',
            rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']))
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(
            type='MMDistributedDataParallel',
            device_ids=None,
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', True))
