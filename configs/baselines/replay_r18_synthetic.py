_base_ = ['./finetune_r18_synthetic.py']
model = dict(components=dict(replay=dict(
    type='ExemplarReplay', memory_size=64, replay_batch_size=8,
    target='label')))
