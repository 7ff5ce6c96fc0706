_base_ = ['./replay_r18_synthetic.py']
model = dict(target='output')
