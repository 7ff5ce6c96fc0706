# The public reference code's choices where they are knobs here (METHOD.md,
# "where the reference code differs"): lambda/2 per old task without the
# 1/(t-1) factor, and a zero-padded Sobel that can pick image borders as
# edges. Not reproduced: the reference's softmax(-loss) class weighting and
# its DB split on the student's raw regression output (summed arithmetic
# means), nor its per-task SG reductions; SG over all pixels for every task
# is available as sg_loss.reduction='all'.
_base_ = ['./had_r18_nyuv2.py']
model = dict(
    task_weighting='reference',
    sg_loss=dict(padding='zeros'))
