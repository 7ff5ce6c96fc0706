"""Train mmhad and the authors' HAD reference code side by side, from the
same initial weights on the same data, and compare them phase by phase.

    git clone https://github.com/Deexaa/HAD /path/to/HAD
    python tools/analysis/parity_reference.py /path/to/HAD \\
        configs/had/had_r18_nyuv2.py --model resnet18 \\
        --size 48 64 --images-per-phase 8 --batch-size 4 --epochs 1

1. A small folder in the NYUv2 release layout is generated (ray-cast rooms
   of ``--size``, ``--images-per-phase`` training images per phase and
   ``--val-images`` validation images), or ``--data`` names one.
2. mmhad trains the config on it with its own runner and loop: every
   setting of the config, but the data root, the batch size (training and
   validation alike, as the protocol has them equal), the epochs per phase
   and the encoder's initialisation (random: nothing is downloaded). A hook
   records, at the start of each phase's training, the architecture's
   weights (the new head included) and the random-number state, the total
   and new-task loss of every iteration, and the weights at each phase end.
3. The reference's own ``HAD`` learner trains the same phases with its own
   loop, loader, losses and evaluation (``incremental_train``,
   ``after_task``, ``eval_task``; imported from the checkout, nothing of it
   copied here), its data manager reading the same folder. Its network
   starts from mmhad's phase-1 weights; each later phase's new head from
   mmhad's new head; the random-number state before each phase's training
   is mmhad's (dropout masks and loader seeds then agree). Its losses are
   read from its own ``model_fit`` / ``weight_fit`` calls.
4. Per phase it prints the first loss of both and their difference, the
   largest loss difference over the phase, the largest weight difference
   at the phase end (and whether the weights are equal to the bit), and
   both evaluations. ``--out`` writes all of it as JSON.

The config's method must be HAD with the reference's loss
(``configs/_base_/methods/had_reference.py``) for the two to agree; any
other config shows by how much it differs.
"""
import argparse
import contextlib
import io
import json
import os.path as osp
import re
import sys
import tempfile
from typing import Dict, List

import torch

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from reference_code import import_reference  # noqa: E402

#: The reference's NYUv2 evaluation line, in the order of its avg_cost.
REFERENCE_METRICS = [('semantic', 'mIoU', 100), ('semantic', 'pixAcc', 100),
                     ('depth', 'abs_err', 1), ('depth', 'rel_err', 1),
                     ('normal', 'mean_angle', 1),
                     ('normal', 'median_angle', 1),
                     ('normal', 'within_11.25', 100),
                     ('normal', 'within_22.5', 100),
                     ('normal', 'within_30', 100)]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ref_root', help='checkout of github Deexaa/HAD')
    parser.add_argument('config', help='mmhad config (NYUv2 layout)')
    parser.add_argument('--model', default='resnet18',
                        choices=['resnet18', 'resnet50'],
                        help="the reference's --model")
    parser.add_argument('--data', help='a NYUv2-layout folder to use '
                        'instead of generated rooms')
    parser.add_argument('--size', type=int, nargs=2, default=(48, 64),
                        metavar=('H', 'W'))
    parser.add_argument('--images-per-phase', type=int, default=8)
    parser.add_argument('--val-images', type=int, default=4)
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--epochs', type=int, default=1)
    parser.add_argument('--seed', type=int, default=4)
    parser.add_argument('--threads', type=int, default=None)
    parser.add_argument('--work-dir', help='default: a temporary folder')
    parser.add_argument('--out', help='write the comparison as JSON')
    return parser.parse_args(argv)


# ----------------------------------------------------------------- mmhad side


def mmhad_config(args, data_root: str, work_dir: str):
    """The config as shipped but for data, batch, epochs and encoder init."""
    from mmengine.config import Config
    cfg = Config.fromfile(args.config)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].update(batch_size=args.batch_size, num_workers=0,
                           persistent_workers=False, pin_memory=False)
        cfg[loader].dataset.data_root = data_root
    cfg.model.architecture.backbone.init_cfg = None  # no download
    cfg.train_cfg.max_epochs = args.epochs
    cfg.randomness = dict(seed=args.seed)
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook',
                                        interval=10**6)
    cfg.default_hooks.logger.interval = 1
    cfg.custom_hooks = [h for h in cfg.get('custom_hooks', [])
                        if h['type'] != 'ForgettingStripHook']
    cfg.work_dir = work_dir
    return cfg


def architecture_state(model) -> Dict[str, torch.Tensor]:
    """The trained network's state (backbone and heads), copied."""
    return {k: v.detach().clone()
            for k, v in model.architecture.state_dict().items()}


def train_mmhad(args, data_root: str, work_dir: str) -> List[dict]:
    """Per phase: ``start`` weights and RNG state, ``losses``, ``end``
    weights, ``metrics``."""
    from mmengine.hooks import Hook

    from mmhad.engine import LifelongRunner
    from mmhad.utils import register_all_modules
    register_all_modules()
    phases: List[dict] = []

    class Recorder(Hook):
        priority = 'VERY_LOW'

        def before_phase(self, runner, phase, tasks):
            phases.append(dict(phase=phase, tasks=list(tasks), losses=[],
                               new_losses=[]))

        def before_train_epoch(self, runner):
            phase = phases[-1]
            if 'start' not in phase:  # first epoch of the phase
                # the loader's iterator draws its seed from here on, as the
                # reference's does
                phase['start'] = architecture_state(runner.model)
                phase['rng'] = torch.get_rng_state()

        def after_train_iter(self, runner, batch_idx, data_batch=None,
                             outputs=None):
            phases[-1]['losses'].append(float(outputs['loss']))
            new = [float(v) for k, v in outputs.items()
                   if k.startswith('new.') and 'loss' in k]
            phases[-1]['new_losses'].append(sum(new))

        def after_phase(self, runner, phase, tasks, metrics):
            phases[-1]['end'] = architecture_state(runner.model)
            phases[-1]['metrics'] = {
                k: float(v) for k, v in metrics.items()
                if isinstance(v, (int, float))}

    cfg = mmhad_config(args, data_root, work_dir)
    runner = LifelongRunner.from_cfg(cfg)
    runner.register_hook(Recorder())
    runner.train()
    return phases


# ------------------------------------------------------------ reference side


def reference_keys(ours: List[str], theirs: Dict[str, torch.Tensor],
                   task: str = None) -> Dict[str, str]:
    """mmhad architecture key -> reference network key, for the backbone
    (the same torchvision names) or for one task's head (``heads.<task>``
    against ``decoder_<task>``, parameters and buffers in the same order
    once mmhad's classifier is put last)."""
    if task is None:
        mapping = {k: k for k in ours if k.startswith('backbone.')}
    else:
        # mmseg's decode head builds its classifier (conv_seg) first, the
        # torchvision head last: the same tensors in that one other order
        mine = sorted((k for k in ours if k.startswith(f'heads.{task}.')),
                      key=lambda k: k.startswith(f'heads.{task}.conv_seg.'))
        other = [k for k in theirs if k.startswith(f'decoder_{task}.')]
        if len(mine) != len(other):
            raise ValueError(f'head {task}: {len(mine)} tensors in mmhad, '
                             f'{len(other)} in the reference')
        mapping = dict(zip(mine, other))
    for mine, other in mapping.items():
        if other not in theirs:
            raise KeyError(f'{other} is not in the reference network')
    return mapping


def load_into_reference(network, state: Dict[str, torch.Tensor],
                        tasks: List[str], backbone: bool) -> None:
    """Copy mmhad's tensors of ``tasks``' heads (and the backbone) into the
    reference network, checking every shape."""
    theirs = network.state_dict()
    mapping = {}
    if backbone:
        mapping.update(reference_keys(list(state), theirs))
    for task in tasks:
        mapping.update(reference_keys(list(state), theirs, task))
    with torch.no_grad():
        for mine, other in mapping.items():
            if theirs[other].shape != state[mine].shape:
                raise ValueError(f'{mine} {tuple(state[mine].shape)} vs '
                                 f'{other} {tuple(theirs[other].shape)}')
            theirs[other].copy_(state[mine])


def max_difference(state: Dict[str, torch.Tensor], network,
                   tasks: List[str]) -> Dict[str, float]:
    """Largest |mmhad - reference| over floating tensors, the largest
    relative to the tensor's own scale (max |mmhad|; BatchNorm's running
    variances reach hundreds where convolution weights stay below 1) and
    the tensor where it is, and how many tensors differ at all."""
    theirs = network.state_dict()
    mapping = reference_keys(list(state), theirs)
    for task in tasks:
        mapping.update(reference_keys(list(state), theirs, task))
    largest, relative, where, differ = 0., 0., None, 0
    for mine, other in mapping.items():
        a, b = state[mine], theirs[other].detach()
        if not a.is_floating_point():
            differ += int(not torch.equal(a, b))
            continue
        if not a.numel():
            continue
        diff = (a.double() - b.double()).abs().max().item()
        scale = a.double().abs().max().item()
        largest = max(largest, diff)
        if diff and diff / (scale or 1.) > relative:
            relative, where = diff / (scale or 1.), mine
        differ += int(diff > 0)
    return dict(max_abs=largest, max_rel=relative, max_rel_at=where,
                tensors_differing=differ, tensors=len(mapping))


def parse_reference_eval(text: str) -> Dict[str, float]:
    """The reference's printed evaluation as mmhad's metric names."""
    numbers = [float(x) for x in re.findall(r"'(-?[0-9.]+|nan)'", text)]
    if len(numbers) < len(REFERENCE_METRICS):
        raise ValueError(f'unexpected reference evaluation line: {text!r}')
    return {f'{task}/{name}': value * scale
            for (task, name, scale), value in zip(REFERENCE_METRICS,
                                                  numbers[-9:])}


def train_reference(args, data_root: str, mmhad_phases: List[dict]):
    """Run the reference learner over the same phases; per phase its
    ``losses``, ``new_losses``, weight differences at the end and
    evaluation."""
    methods = import_reference(args.ref_root)
    import datasetting.continual_dataset as continual_dataset
    from methods import had as had_module
    nyuv2 = continual_dataset.NYUv2
    continual_dataset.NYUv2 = lambda root, **kwargs: nyuv2(
        root=data_root, **kwargs)
    sys.argv = sys.argv[:1]  # HAD parses its own options from sys.argv
    ref_args = argparse.Namespace(
        dataset='NYUv2', aug=False, lr=1e-4, increments=1, seed=args.seed,
        batch_size=args.batch_size, epoch=args.epochs, cur_task=1,
        shuffle=False, print=False, model=args.model, method='had')
    data_manager = continual_dataset.DataManager(ref_args)
    learner = methods.get_model(ref_args)
    network = learner._network
    results: List[dict] = []
    record = dict(losses=[], new_losses=[], terms=[])

    model_fit, weight_fit = had_module.model_fit, had_module.weight_fit

    def recorded_model_fit(*a, **kw):
        if record['terms']:  # the previous iteration's total
            close_iteration()
        loss = model_fit(*a, **kw)
        record['terms'] = [float(loss)]
        return loss

    def recorded_weight_fit(*a, **kw):
        loss = weight_fit(*a, **kw)
        record['terms'].append(float(loss))
        return loss

    def close_iteration():
        new, *old = record['terms']
        record['new_losses'].append(new)
        # the reference's total: train_loss + args.new * sum of old terms
        record['losses'].append(
            float(torch.tensor(new) + learner.args.new * torch.tensor(
                sum(old))) if old else new)
        record['terms'] = []

    had_module.model_fit = recorded_model_fit
    had_module.weight_fit = recorded_weight_fit

    update_decoder = network.update_decoder
    phase_index = [0]

    def synced_update_decoder(task_type):
        update_decoder(task_type)
        ours = mmhad_phases[phase_index[0]]
        load_into_reference(network, ours['start'], [task_type],
                            backbone=phase_index[0] == 0)

    network.update_decoder = synced_update_decoder
    train = learner._train

    def synced_train():
        torch.set_rng_state(mmhad_phases[phase_index[0]]['rng'])
        train()
        if record['terms']:
            close_iteration()

    learner._train = synced_train
    for phase in mmhad_phases:
        record.update(losses=[], new_losses=[], terms=[])
        learner.incremental_train(data_manager)
        tasks = list(learner.competence)
        weights = max_difference(phase['end'], network, tasks)
        learner.after_task()
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            learner.eval_task()
        results.append(dict(losses=list(record['losses']),
                            new_losses=list(record['new_losses']),
                            weights=weights,
                            metrics=parse_reference_eval(
                                printed.getvalue())))
        phase_index[0] += 1
    return results


# ------------------------------------------------------------------- report


def compare(mmhad_phases: List[dict], reference: List[dict]) -> List[dict]:
    rows = []
    for ours, theirs in zip(mmhad_phases, reference):
        n = min(len(ours['losses']), len(theirs['losses']))
        loss_diff = max((abs(a - b) for a, b in zip(
            ours['losses'][:n], theirs['losses'][:n])), default=float('nan'))
        rows.append(dict(
            phase=ours['phase'], tasks=ours['tasks'],
            iterations=[len(ours['losses']), len(theirs['losses'])],
            first_loss=[ours['losses'][0], theirs['losses'][0]],
            first_loss_diff=abs(ours['losses'][0] - theirs['losses'][0]),
            max_loss_diff=loss_diff,
            losses_equal=ours['losses'] == theirs['losses'],
            weights=theirs['weights'],
            metrics={k: [ours['metrics'].get(k), v]
                     for k, v in theirs['metrics'].items()
                     if k in ours['metrics']}))
    return rows


def print_report(rows: List[dict], args) -> None:
    print(f'\nmmhad {args.config} vs the reference (--model {args.model}), '
          f'{args.images_per_phase} images per phase of '
          f'{args.size[0]}x{args.size[1]}, batch {args.batch_size}, '
          f'{args.epochs} epoch(s) per phase, '
          f'{torch.get_num_threads()} thread(s)\n')
    # absolute differences; no '|' inside a cell of a Markdown table
    print('| phase | task | iterations | first loss (mmhad / reference) | '
          'Δ first loss | max Δ loss | weights equal to the bit | '
          'max Δ weight | max relative Δ weight, at |')
    print('|---:|---|---:|---|---:|---:|---|---:|---|')
    for row in rows:
        w = row['weights']
        print(f"| {row['phase']} | {'+'.join(row['tasks'])} | "
              f"{row['iterations'][0]} | {row['first_loss'][0]:.8f} / "
              f"{row['first_loss'][1]:.8f} | {row['first_loss_diff']:.2e} | "
              f"{row['max_loss_diff']:.2e} | "
              f"{'yes' if w['tensors_differing'] == 0 else 'no'} "
              f"({w['tensors'] - w['tensors_differing']}/{w['tensors']}) | "
              f"{w['max_abs']:.2e} | {w['max_rel']:.2e}"
              f"{', ' + w['max_rel_at'] if w['max_rel_at'] else ''} |")
    print('\n| phase | metric | mmhad | reference |')
    print('|---:|---|---:|---:|')
    for row in rows:
        for name, (ours, theirs) in row['metrics'].items():
            print(f"| {row['phase']} | {name} | {ours:.4f} | {theirs:.4f} |")


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as tmp:
        data_root = args.data or osp.join(tmp, 'nyuv2')
        if not args.data:
            from mmhad.datasets.synthetic_indoor import \
                generate_synthetic_indoor
            generate_synthetic_indoor(
                data_root, num_train=3 * args.images_per_phase,
                num_val=args.val_images, height=args.size[0],
                width=args.size[1], seed=0)
        work_dir = args.work_dir or osp.join(tmp, 'mmhad')
        ours = train_mmhad(args, data_root, work_dir)
        torch.manual_seed(args.seed)
        theirs = train_reference(args, data_root, ours)
    rows = compare(ours, theirs)
    print_report(rows, args)
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(dict(config=args.config, model=args.model,
                           size=list(args.size),
                           images_per_phase=args.images_per_phase,
                           batch_size=args.batch_size, epochs=args.epochs,
                           threads=torch.get_num_threads(), phases=rows),
                      f, indent=1)
    return rows


if __name__ == '__main__':
    main()
