# Every method of the comparison table on the synthetic scene families, in
# the table's order: fine-tuning first (the naive reference), joint training
# last (the upper bound; it learns the tasks in one phase). A method is a
# config path, or dict(config=..., options=dict(...)) for a variant made by
# overrides.
methods = {
    'FT': 'configs/baselines/finetune_r18_synthetic.py',
    'LwF': 'configs/baselines/lwf_r18_synthetic.py',
    'LwM': 'configs/baselines/lwm_r18_synthetic.py',
    'DKD': 'configs/baselines/dkd_r18_synthetic.py',
    'EWC': 'configs/baselines/ewc_r18_synthetic.py',
    'MAS': 'configs/baselines/mas_r18_synthetic.py',
    'SPG': 'configs/baselines/spg_r18_synthetic.py',
    'SGP': 'configs/baselines/sgp_r18_synthetic.py',
    'Piggyback': 'configs/baselines/piggyback_r18_synthetic.py',
    'FitNets': 'configs/baselines/fitnets_r18_synthetic.py',
    'StructuredKD': 'configs/baselines/structured_kd_r18_synthetic.py',
    'Replay': 'configs/baselines/replay_r18_synthetic.py',
    'DER': 'configs/baselines/der_r18_synthetic.py',
    'HAD-paper': 'configs/had/had_paper_r18_synthetic.py',
    'HAD-reference': 'configs/had/had_reference_r18_synthetic.py',
    'HAD': 'configs/had/had_r18_synthetic.py',
    'HAD-scratch': 'configs/had/had_scratch_r18_synthetic.py',
    'HAD-robust': 'configs/had/had_robust_r18_synthetic.py',
    'Joint': 'configs/baselines/joint_r18_synthetic.py',
}
naive = 'FT'
joint = 'Joint'
tasks = ['semantic', 'depth', 'normal']
