# HAD with every choice as the paper's text states it: lambda / (2 (t - 1))
# per old task, geometric group means (eps 1e-6) for every task, regression
# groups from the teacher's min-max normalised pseudo-label at delta, SG
# averaged over the salient pixels of the replicate-padded Sobel at k = 0.9.
# A config applies it as its HAD component:
# `model = dict(components=dict(had={{_base_.had_paper}}))`.
had_paper = dict(
    type='HAD',
    loss_weight=3.0,  # lambda
    # regression groups: foreground threshold of the normalised pseudo-label
    groupings=dict(regression=dict(type='ForegroundGrouping', delta=0.5)),
    db_loss=dict(type='DistributionBalancedLoss', mean='geometric', eps=1e-6),
    sg_loss=dict(type='SalienceGuidedLoss', threshold=0.9))  # k
