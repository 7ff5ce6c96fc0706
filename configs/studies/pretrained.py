# The pretrained-regime study: the held-out study's pretrained regime alone
# (fine-tuning, LwF, HAD's variants and joint training on the rooms and on
# the streets, three seeds). 2 benchmarks x 8 methods x 3 seeds =
# 48 runs. Every method on the rooms is comparison_rooms.py; the six task
# orders are orders.py.
# Three seeds are fewer than a claim needs: a sign test over three pairs
# cannot go below p = 0.25 (docs/en/user_guides/studies.md, "How many seeds
# a claim needs"), so this study shows directions, not significance;
# --cfg-options seeds=[0,1,2,3,4,5] runs it with six.
_base_ = ['./heldout.py']

name = 'pretrained'
regimes = dict(
    _delete_=True, pretrained='configs/studies/regimes/pretrained.py')
