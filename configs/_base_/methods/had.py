# mmhad's default HAD knobs (README, "Which HAD is the default"): the
# paper's method with three choices measured on held-out data:
# - regression tasks take arithmetic group means, as the reference code
#   does: the geometric mean of an L1 map weighs each pixel's gradient by
#   1 / (|error| + eps), so pixels the student already matches dominate;
# - no SG term for regression tasks: it made depth worse than not
#   distilling depth at all;
# - k = 0.5 for the segmentation SG term: with k = 0.9 only a handful of
#   pixels per image are salient, a noisy target.
# Top-level configs take it with `model = {{_base_.had}}`.
had = dict(
    type='HAD',
    distill_weight=3.0,  # lambda
    delta=0.5,  # foreground threshold of regression-task groups
    task_weighting='paper',
    db_loss=dict(
        classification=dict(
            type='DistributionBalancedLoss', mean='geometric', eps=1e-6),
        regression=dict(type='DistributionBalancedLoss', mean='arithmetic')),
    sg_loss=dict(
        classification=dict(type='SalienceGuidedLoss', threshold=0.5),
        regression=None))
