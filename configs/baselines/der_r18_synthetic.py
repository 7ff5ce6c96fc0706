_base_ = ['./replay_r18_synthetic.py']
model = dict(components=dict(replay=dict(target='output')))
