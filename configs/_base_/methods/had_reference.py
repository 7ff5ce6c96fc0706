# HAD as the public reference code computes it (docs/en/reference_parity.md,
# "where the reference code differs"); with it a model's total distillation
# loss and gradients equal the reference's at any batch size while normal is
# not an old task (tests/test_components/test_had_reference_parity.py):
# - lambda / 2 per old task, without the 1 / (t - 1) factor;
# - segmentation DB: geometric means that drop pixels whose loss is exactly
#   0 and add no eps, weighted by softmax(-class loss), averaged over all
#   classes (absent ones add 0);
# - regression DB: pixels split on the student's raw prediction at 0.5 with
#   two strict comparisons (exactly 0.5 is in neither group), arithmetic
#   means of the two groups summed;
# - SG: zero-padded Sobel; segmentation averaged over all pixels; regression
#   averaged over the non-zero salient losses, each image scored at every
#   pixel salient in any image of the batch (the reference's broadcast bug).
# Not reproduced: the normal-distillation bugs (docs/en/reference_parity.md)
# and the teacher
# backbone recomputed per old task (same values, more compute).
# Each departure from the paper is its own type (mmhad/components/
# had_reference.py), used by this bundle only.
# A config applies it as its HAD component:
# `model = dict(components=dict(had={{_base_.had_reference}}))`.
had_reference = dict(
    type='ReferenceHAD',  # lambda / 2 per old task
    loss_weight=3.0,
    groupings=dict(
        regression=dict(type='ReferenceForegroundGrouping', delta=0.5)),
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
        regression=dict(
            type='ReferenceSalienceGuidedLoss',  # the broadcast mask
            threshold=0.9,
            padding='zeros',
            drop_zeros=True)))
