# The reference code's HAD loss choices (_base_/methods/had_reference.py)
# on mmhad's own protocol (finetune-mm_r18_nyuv2.py: shuffled loader,
# metrics over all valid pixels, mmseg's head init): to compare the loss
# choices alone with had-mm_r18_nyuv2.py. had_r18_nyuv2.py is the same loss
# on the paper's protocol.
_base_ = [
    '../baselines/finetune-mm_r18_nyuv2.py',
    '../_base_/methods/had_reference.py'
]
model = dict(components=dict(had={{_base_.had_reference}}))
