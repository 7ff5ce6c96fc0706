"""Time a lifelong method's training step and inference at a given phase.

    python tools/analysis/benchmark.py configs/had/had_r18_nyuv2.py \\
        --phase 3 --size 96 128 --batch-size 4 --iters 10 \\
        --compare configs/baselines/finetune_r18_nyuv2.py

Builds each config's method (random weights: nothing is downloaded), brings
it to phase N as the loop would (every earlier phase begun and ended, so
the heads and the frozen teacher are there), and times training steps on one
batch kept in memory (no data loading) and inference. Prints a Markdown
table: images/s of training and inference, peak memory (CUDA's on a GPU, the
process's peak resident set during that config's steps on a CPU) and the split
of a training step into teacher forward, student forward (with the losses),
backward and optimizer step, each in ms per step. A method built with
``teacher_cache`` (``--cfg-options model.teacher_cache.dtype=float32``)
reads the teacher's outputs from its cache, filled before the timed steps.
``--out`` appends the table, with the machine, to a file
(docs/en/results/benchmark.md holds the shipped configs' figures).
``--flops`` adds the floating-point operations per image of a training
step (teacher forward, student forward with the losses, backward) and of
inference, counted by ``torch.utils.flop_counter`` on one more (untimed)
step: multiply by the images of a run to project its time on any device.
``--compile`` builds the method with ``model.compile=True`` (the phase's
forward and losses compiled, their backward through AOTAutograd); the
teacher then runs inside the compiled step and its time is counted in the
student's column. Compilation happens in the warm-up steps, so give
``--warmup`` at least 2.
"""
import argparse
import os
import platform
import resource
import sys
import time
from contextlib import contextmanager, nullcontext
from typing import Dict, List

import torch
from mmengine.config import Config, DictAction
from mmengine.optim import build_optim_wrapper
from torch.utils.flop_counter import FlopCounterMode

from mmhad.registry import MODELS
from mmhad.structures import MultiTaskDataSample
from mmhad.tasks import config_tasks
from mmhad.utils import register_all_modules

PARTS = ('teacher', 'student', 'backward', 'optimizer')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('--compare', nargs='+', default=[],
                        help='more configs, timed in the same run')
    parser.add_argument('--phase', type=int, default=None,
                        help='phase to time (default, and for configs '
                        'with fewer phases: the last)')
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--batch-size', type=int, default=None,
                        help='default: the config\'s train batch size')
    parser.add_argument('--size', type=int, nargs=2, default=None,
                        metavar=('H', 'W'), help='default: 288 384')
    parser.add_argument('--amp', action='store_true',
                        help='autocast: fp16 on CUDA, bf16 on CPU')
    parser.add_argument('--compile', action='store_true',
                        help='torch.compile the forward and losses')
    parser.add_argument('--flops', action='store_true',
                        help='count GFLOPs per image of a training step '
                        'and of inference')
    parser.add_argument('--device', default=None,
                        help='default: cuda when there is one')
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--out', help='append the table to this file')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={})
    return parser.parse_args(argv)


def synthetic_batch(model, tasks: List[str], batch: int, size, device):
    """Inputs and ground truth of ``tasks`` in each kind's own format: the
    pseudo-label of a random prediction (any kind can make one)."""
    generator = torch.Generator().manual_seed(0)
    inputs = torch.rand(batch, 3, *size, generator=generator)
    samples = [MultiTaskDataSample(metainfo=dict(sample_idx=i))
               for i in range(batch)]
    for name in tasks:
        task = model.tasks[name]
        logits = torch.randn(batch, task.out_channels, *size,
                             generator=generator)
        gt = task.pseudo_label(task.activate(logits))
        if task.output_form.family == 'regression':
            gt = gt.abs()  # within every regression kind's check (depth >= 0)
        for sample, value in zip(samples, gt):
            sample.set_field(value.to(device), task.gt_key)
    return inputs.to(device), samples


class StepTimer:
    """Wall time per part of a step, synchronised on CUDA."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.totals = dict.fromkeys(PARTS, 0.)

    def now(self) -> float:
        if self.device.type == 'cuda':
            torch.cuda.synchronize(self.device)
        return time.perf_counter()

    @contextmanager
    def part(self, name: str):
        start = self.now()
        yield
        self.totals[name] += self.now() - start

    def start(self, name: str) -> None:
        self._started = (name, self.now())

    def stop(self, name: str) -> None:
        started, at = self._started
        self.totals[started] += self.now() - at


def time_teacher(teacher, timer: StepTimer) -> List[int]:
    """Time every call of the teacher's backbone, neck and heads as the
    step's 'teacher' part, and count its backbone passes.

    Returns:
        list[int]: One counter, the backbone passes so far.
    """
    passes = [0]

    def start(module, args):
        timer.start('teacher')

    def stop(module, args, output):
        timer.stop('teacher')

    def count(module, args, output):
        passes[0] += 1

    modules = [teacher.backbone, teacher.neck, *teacher.heads.values()]
    for module in filter(None, modules):
        module.register_forward_pre_hook(start)
        module.register_forward_hook(stop)
    teacher.backbone.register_forward_hook(count)
    return passes


def bring_to_phase(model, phases: List[List[str]], phase: int, batch: int,
                   size, device) -> None:
    """Begin (and end) phases 1..phase-1 as the loop would, then begin
    ``phase``; methods that estimate something at a phase end (EWC, MAS,
    replay) get one synthetic batch of that phase."""
    for index, tasks in enumerate(phases[:phase], 1):
        model.begin_phase(index, tasks)
        if index < phase:
            inputs, samples = synthetic_batch(model, tasks, batch, size,
                                              device)
            model.end_phase([dict(inputs=list(inputs),
                                  data_samples=samples)])


def reset_peak_memory(device: torch.device) -> None:
    """Start a new peak: CUDA's allocator, or the process's resident set
    (Linux: writing 5 to clear_refs resets VmHWM)."""
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)
        return
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        pass  # elsewhere the peak is the process's so far


def peak_memory_mib(device: torch.device) -> float:
    if device.type == 'cuda':
        return torch.cuda.max_memory_allocated(device) / 2**20
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 2**10
    except OSError:
        pass
    # ru_maxrss is in KiB on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10


def benchmark(cfg: Config, phase, iters: int, warmup: int, batch, size,
              amp: bool, device: torch.device,
              compile: bool = False, flops: bool = False) -> Dict[str, float]:
    """Figures of one config (see the module doc)."""
    register_all_modules()
    cfg.model.architecture.backbone['init_cfg'] = None  # never download
    if compile:
        cfg.model['compile'] = True
    model = MODELS.build(cfg.model).to(device)
    model.set_tasks(config_tasks(cfg))  # as the loop does from the dataset
    phases = [[t] if isinstance(t, str) else list(t)
              for t in cfg.train_cfg.task_order]
    # a config with fewer phases (joint training) is timed at its last
    phase = min(phase or len(phases), len(phases))
    batch = batch or cfg.train_dataloader.batch_size
    bring_to_phase(model, phases, phase, batch, size, device)
    model.to(device)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    inputs, samples = synthetic_batch(model, phases[phase - 1], batch, size,
                                      device)
    if model.teacher_cache is not None and model.teacher is not None:
        # as the loop does when the phase begins
        model.fill_teacher_cache([dict(inputs=inputs, data_samples=samples)])
    timer = StepTimer(device)
    passes = [0]
    # a timer inside the compiled region would split its graph
    if model.teacher is not None and not compile:
        passes = time_teacher(model.teacher, timer)
    dtype = torch.float16 if device.type == 'cuda' else torch.bfloat16
    autocast = (torch.autocast(device.type, dtype=dtype) if amp
                else nullcontext())
    reset_peak_memory(device)
    model.train()
    for step in range(warmup + iters):
        if step == warmup:
            timer.totals = dict.fromkeys(PARTS, 0.)
            passes_before = passes[0]
            start = timer.now()
        before = timer.totals['teacher']
        step_start = timer.now()
        with autocast:
            loss = sum(model.loss(inputs, samples).values())
        timer.totals['student'] += timer.now() - step_start - (
            timer.totals['teacher'] - before)
        with timer.part('backward'):
            loss.backward()
        with timer.part('optimizer'):
            optim_wrapper.step()
            optim_wrapper.zero_grad()
    train_time = timer.now() - start
    teacher_passes = (passes[0] - passes_before) / iters
    model.eval()
    names = model.task_names
    with torch.no_grad(), autocast:
        for step in range(warmup + iters):
            if step == warmup:
                infer_start = timer.now()
            model.predict_tasks(inputs, names)
    infer_time = timer.now() - infer_start
    if flops:
        figures_flops = count_gflops(model, inputs, samples, names)
    figures = dict(
        phase=phase,
        train_ips=batch * iters / train_time,
        infer_ips=batch * iters / infer_time,
        peak_mib=peak_memory_mib(device),
        teacher_passes=teacher_passes)
    figures.update({f'{part}_ms': 1000 * total / iters
                    for part, total in timer.totals.items()})
    if flops:
        figures.update(figures_flops)
    return figures


def count_gflops(model, inputs, samples, names: List[str]) -> Dict[str, float]:
    """GFLOPs per image of one training step and of inference.

    Counted on the batch itself rather than one image: the ASPP image-pool
    branch's BatchNorm refuses a batch of one in training mode.
    """
    batch = inputs.shape[0]
    model.train()
    with FlopCounterMode(display=False) as train_counter:
        sum(model.loss(inputs, samples).values()).backward()
    model.zero_grad(set_to_none=True)
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as infer_counter:
        model.predict_tasks(inputs, names)
    return dict(train_gflops=train_counter.get_total_flops() / batch / 1e9,
                infer_gflops=infer_counter.get_total_flops() / batch / 1e9)


def markdown(rows: Dict[str, Dict[str, float]], header: str) -> str:
    with_flops = all('train_gflops' in f for f in rows.values())
    flops_head = ' train GFLOPs/img | inference GFLOPs/img |' * with_flops
    lines = [header, '',
             '| config | phase | train img/s | inference img/s | peak MiB | '
             'teacher ms | student ms | backward ms | optimizer ms | '
             'teacher backbone passes/step |' + flops_head,
             '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|'
             + '---:|---:|' * with_flops]
    for name, f in rows.items():
        flops_cells = (f' {f["train_gflops"]:.4g} | {f["infer_gflops"]:.4g} |'
                       if with_flops else '')
        lines.append(
            f'| {name} | {f["phase"]} | {f["train_ips"]:.2f} | '
            f'{f["infer_ips"]:.2f} | {f["peak_mib"]:.0f} | '
            + ' | '.join(f'{f[p + "_ms"]:.1f}' for p in PARTS)
            + f' | {f["teacher_passes"]:g} |' + flops_cells)
    return '\n'.join(lines) + '\n'


def machine(device: torch.device) -> str:
    if device.type == 'cuda':
        what = torch.cuda.get_device_name(device)
    else:
        what = f'{platform.processor() or platform.machine()} CPU, ' \
            f'{torch.get_num_threads()} threads'
    return f'{what}, torch {torch.__version__}'


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device or (
        'cuda' if torch.cuda.is_available() else 'cpu'))
    size = tuple(args.size or (288, 384))
    rows = {}
    for path in [args.config] + args.compare:
        cfg = Config.fromfile(path)
        cfg.merge_from_dict(args.cfg_options)
        name = os.path.splitext(os.path.basename(path))[0]
        print(f'[benchmark] {name} ...', file=sys.stderr, flush=True)
        rows[name] = benchmark(cfg, args.phase, args.iters, args.warmup,
                               args.batch_size, size, args.amp, device,
                               args.compile, args.flops)
    batch = args.batch_size or 'config'
    table = markdown(rows, (
        f'{machine(device)}; {size[0]}x{size[1]}, batch {batch}, '
        f'{args.iters} timed steps after {args.warmup}'
        f'{", autocast" if args.amp else ""}'
        f'{", torch.compile" if args.compile else ""}'))
    print(table)
    if args.out:
        with open(args.out, 'a') as f:
            f.write(table + '\n')


if __name__ == '__main__':
    main()
