"""What each phase took away: every task's prediction after every phase.

    python tools/analysis/forgetting_strip.py work_dirs/had_r18_nyuv2 \\
        --images 0 5 9 [--out-dir DIR]

Reads the run's config (the copy in its work dir) and its phase
checkpoints ``phase_<t>_<task>.pth``, predicts the chosen validation images
after each phase, and writes one PNG per image (``forgetting_<i>.png``): a
row per task, titled with its name, showing the input, its ground truth
and its prediction after every phase (columns "after phase t (learnt
<task>)", "not learnt yet" before the phase that learnt it, the metric of
the prediction on this image under it), with the dataset's class legend or
a colour bar with the unit (depth in metres) beside the row. Ground truth
and predictions of a row share one colour scale; pixels without ground
truth are grey; maps are upscaled (nearest neighbour) to cells at least
200 px high.
"""
import argparse
import os.path as osp

from mmhad.visualization import strips


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('run_dir')
    parser.add_argument('--images', type=int, nargs='+', default=[0])
    parser.add_argument('--out-dir', default=None,
                        help='default: <run_dir>/forgetting')
    args = parser.parse_args(argv)
    for path in strips(args.run_dir, args.images,
                       args.out_dir or osp.join(args.run_dir, 'forgetting')):
        print(path)


if __name__ == '__main__':
    main()
