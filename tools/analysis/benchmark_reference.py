"""Time the authors' reference HAD (github Deexaa/HAD) at phase 3 of NYUv2,
for a side-by-side comparison with ``benchmark.py``.

    git clone https://github.com/Deexaa/HAD /path/to/HAD
    python tools/analysis/benchmark_reference.py /path/to/HAD \\
        --size 96 128 --batch-size 4 --iters 10 --threads 2
    python tools/analysis/benchmark.py configs/had/had_r18_nyuv2.py \\
        --phase 3 --size 96 128 --batch-size 4 --iters 10 --threads 2

Runs the reference code's own training loop (``HAD._new_train``: its
teacher calls, losses, backward and Adam step) on batches kept in memory:
random images and unit normals, phase 3 of semantic -> depth -> normal on
its ResNet-18 DeepLabv3, random weights (its ``pretrained=True`` download is
turned off). Nothing of the reference code is copied here; it is imported
from the given checkout. On a machine without CUDA its ``.cuda()`` calls
become no-ops.
"""
import argparse
import os.path as osp
import sys
import time

import torch

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from reference_code import import_reference  # noqa: E402


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('ref_root', help='checkout of github Deexaa/HAD')
    parser.add_argument('--size', type=int, nargs=2, default=(96, 128),
                        metavar=('H', 'W'))
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--threads', type=int, default=None)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    methods = import_reference(args.ref_root)
    # HAD parses its own options from sys.argv: give it none
    sys.argv = sys.argv[:1]
    ref_args = argparse.Namespace(
        dataset='NYUv2', aug=False, lr=1e-4, increments=1, seed=0,
        batch_size=args.batch_size, epoch=1, cur_task=1, shuffle=False,
        print=False, model='resnet18', method='had')
    torch.manual_seed(0)
    learner = methods.get_model(ref_args)
    for old in ('semantic', 'depth'):
        learner.competence.append(old)
        learner._network.update_decoder(old)
        learner.after_task()  # frozen copy as the teacher, next phase
    learner.task_type = 'normal'
    learner.competence.append('normal')
    learner._network.update_decoder('normal')

    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    height, width = args.size

    def batches(count):
        out = []
        for _ in range(count):
            normals = torch.nn.functional.normalize(
                torch.randn(args.batch_size, 3, height, width), dim=1)
            out.append((torch.rand(args.batch_size, 3, height, width,
                                   device=device),
                        dict(normal=normals.to(device))))
        return out

    network = learner._network.to(device)
    optimizer = torch.optim.Adam(network.parameters(), lr=1e-4,
                                 weight_decay=1e-5)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 100, 0.5)
    learner._new_train(batches(args.warmup), None, optimizer, scheduler)
    timed = batches(args.iters)
    if device == 'cuda':
        torch.cuda.synchronize()
    start = time.perf_counter()
    learner._new_train(timed, None, optimizer, scheduler)
    if device == 'cuda':
        torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    print('| code | phase | size | batch | threads | train img/s | ms/step |')
    print('|---|---:|---|---:|---:|---:|---:|')
    print(f'| reference HAD | 3 | {height}x{width} | {args.batch_size} | '
          f'{torch.get_num_threads()} | '
          f'{args.iters * args.batch_size / seconds:.2f} | '
          f'{1000 * seconds / args.iters:.1f} |')


if __name__ == '__main__':
    main()
