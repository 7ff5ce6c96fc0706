# The HAD knobs chosen as mmhad's default in the from-scratch regimes
# (docs/results/from_scratch.md, "Which HAD is the default"), before the
# pretrained regime replaced them (configs/_base_/methods/had.py): the
# reference code's choices (had_reference.py) except its regression SG
# term, whose depth form carries the reference's batch-broadcast bug:
# - lambda / 2 per old task (no 1 / (t - 1) factor);
# - segmentation DB: geometric class means (exact zeros left out), weighted
#   by softmax(-class loss), averaged over all classes: a class the student
#   matches badly, often a weak teacher's rare and wrong one, weighs less;
# - regression DB: pixels split on the student's prediction at delta,
#   arithmetic means of the two groups summed (a geometric mean of an L1 map
#   weighs each pixel by 1 / |error|);
# - segmentation SG averaged over all pixels, zero-padded Sobel, k = 0.9;
#   no SG term for regression tasks.
# Top-level configs take it with `model = {{_base_.had_scratch}}`.
had_scratch = dict(
    type='HAD',
    distill_weight=3.0,  # lambda
    delta=0.5,
    task_weighting='reference',
    regression_groups='raw_student',
    strict_split=True,
    db_loss=dict(
        classification=dict(
            type='DistributionBalancedLoss',
            mean='geometric',
            eps=0.,
            drop_zeros=True,
            group_weighting='softmax',
            group_reduction='mean_all'),
        regression=dict(
            type='DistributionBalancedLoss',
            mean='arithmetic',
            group_reduction='sum')),
    sg_loss=dict(
        classification=dict(
            type='SalienceGuidedLoss',
            threshold=0.9,
            padding='zeros',
            reduction='all'),
        regression=None))
