# HAD on PASCAL-Context, five phases, mmhad's default knobs
# (configs/_base_/methods/had.py): binary maps (saliency, edge) are
# classification-family tasks grouped by the teacher's side of 0.5.
_base_ = [
    '../baselines/finetune_r18_pascal-context.py', '../_base_/methods/had.py'
]
model = dict(components=dict(had={{_base_.had}}))
