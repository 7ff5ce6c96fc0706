# The task-order study (the paper's Figure 1 question: do the ranking, and
# naive forgetting, hold whatever the order?): fine-tuning, LwF, HAD and
# joint training on the rooms in the pretrained regime, in all six orders of
# the three tasks, three seeds. 4 methods x 6 orders x 3 seeds = 72 runs
# (--cfg-options seeds=[0] for the 24 runs of a one-seed look).
_base_ = ['./_base_/synthetic_methods.py']

name = 'orders'
methods = {
    '_delete_': True,
    'FT': 'configs/baselines/finetune_r18_synthetic.py',
    'LwF': 'configs/baselines/lwf_r18_synthetic.py',
    'HAD': 'configs/had/had_r18_synthetic.py',
    'Joint': 'configs/baselines/joint_r18_synthetic.py',
}
benchmarks = dict(rooms='configs/studies/benchmarks/rooms.py')
regimes = dict(pretrained='configs/studies/regimes/pretrained.py')
seeds = [0, 1, 2]
orders = 'all'
report = dict(pairs=[('HAD', 'LwF')])
slurm = dict(time=30)
