# The public reference code's choices (METHOD.md, "where the reference code
# differs"), each a knob of HAD: lambda/2 per old task without the 1/(t-1)
# factor; segmentation DB weighted by softmax(-class loss) with absent classes
# counted in the average; regression DB split on the student's raw prediction
# at 0.5, arithmetic group means summed; segmentation SG averaged over all
# pixels; a zero-padded Sobel (image borders can be picked as edges). Not
# reproduced: the teacher backbone recomputed once per old task (same result,
# more compute).
_base_ = ['./had_r18_nyuv2.py']
model = dict(
    task_weighting='reference',
    regression_groups='raw_student',
    db_loss=dict(
        _delete_=True,
        classification=dict(
            type='DistributionBalancedLoss',
            group_weighting='softmax',
            group_reduction='mean_all'),
        regression=dict(
            type='DistributionBalancedLoss',
            mean='arithmetic',
            group_reduction='sum')),
    sg_loss=dict(
        _delete_=True,
        classification=dict(
            type='SalienceGuidedLoss', padding='zeros', reduction='all'),
        regression=dict(type='SalienceGuidedLoss', padding='zeros')))
