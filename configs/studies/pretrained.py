# The pretrained-regime study: the held-out study's pretrained regime alone
# (fine-tuning, LwF, HAD's variants and joint training on the rooms and on
# the streets, three seeds). 2 benchmarks x 8 methods x 3 seeds =
# 48 runs. Every method on the rooms is comparison_rooms.py; the six task
# orders are orders.py.
_base_ = ['./heldout.py']

name = 'pretrained'
regimes = dict(
    _delete_=True, pretrained='configs/studies/regimes/pretrained.py')
