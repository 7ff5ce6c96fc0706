# The comparison table on the synthetic rooms: every method, three seeds,
# the pretrained regime (the users' regime), task order
# semantic -> depth -> normal. 19 methods x 3 seeds = 57 runs.
#
#   python tools/study.py configs/studies/comparison_rooms.py --dry-run
#   python tools/study.py configs/studies/comparison_rooms.py --threads 1
_base_ = ['./_base_/synthetic_methods.py']

name = 'comparison_rooms'
benchmarks = dict(rooms='configs/studies/benchmarks/rooms.py')
regimes = dict(pretrained='configs/studies/regimes/pretrained.py')
seeds = [0, 1, 2]
orders = [['semantic', 'depth', 'normal']]
report = dict(
    pairs=[('HAD', 'LwF'), ('HAD', 'HAD-paper'), ('HAD', 'Replay')],
    confidence=0.95)
# a run takes about a minute on one CPU core
slurm = dict(time=30)
