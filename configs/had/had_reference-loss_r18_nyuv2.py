# The reference code's HAD loss choices (configs/_base_/methods/
# had_reference.py) with mmhad's NYUv2 protocol and evaluation (shuffled
# loader, metrics over all valid pixels): to compare the loss choices alone
# with the paper's text and mmhad's default. had_reference_r18_nyuv2.py
# adds the reference's loader and evaluation.
_base_ = [
    '../baselines/finetune_r18_nyuv2.py', '../_base_/methods/had_reference.py'
]
model = dict(components=dict(had={{_base_.had_reference}}))
