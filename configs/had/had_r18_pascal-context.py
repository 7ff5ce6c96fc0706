# HAD on PASCAL-Context, five phases, with the loss and protocol of the
# paper's tables (the authors' code: _base_/methods/had_reference.py on
# finetune_r18_pascal-context.py, which takes the NYUv2 protocol). Binary
# maps (saliency, edge) are classification-family tasks grouped by the
# teacher's side of 0.5.
_base_ = [
    '../baselines/finetune_r18_pascal-context.py',
    '../_base_/methods/had_reference.py'
]
model = dict(components=dict(had={{_base_.had_reference}}))
