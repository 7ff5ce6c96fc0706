# DER: exemplar replay of the model's own outputs (dark experience replay).
_base_ = ['./replay_r18_nyuv2.py']
model = dict(components=dict(replay=dict(target='output')))
