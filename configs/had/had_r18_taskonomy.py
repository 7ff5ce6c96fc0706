# HAD on Taskonomy, ten phases, with the loss and protocol of the paper's
# tables (the authors' code: _base_/methods/had_reference.py on
# finetune_r18_taskonomy.py, which takes the NYUv2 protocol). The paper's
# ten-task stream is not published, so this stream is mmhad's choice and
# its figures are not comparable with the paper's Taskonomy table.
_base_ = [
    '../baselines/finetune_r18_taskonomy.py',
    '../_base_/methods/had_reference.py'
]
model = dict(components=dict(had={{_base_.had_reference}}))
