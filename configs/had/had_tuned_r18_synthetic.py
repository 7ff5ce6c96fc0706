# The HAD knobs tuned on the indoor rooms by an earlier study (arithmetic
# regression groups, no regression SG, k = 0.5, otherwise the paper's text),
# mmhad's default before the held-out study: on the weak-teacher regime it
# fell below fine-tuning (README, "Which HAD is the default").
_base_ = ['./had_paper_r18_synthetic.py']
model = dict(
    db_loss=dict(
        _delete_=True,
        classification=dict(
            type='DistributionBalancedLoss', mean='geometric', eps=1e-6),
        regression=dict(type='DistributionBalancedLoss', mean='arithmetic')),
    sg_loss=dict(
        _delete_=True,
        classification=dict(type='SalienceGuidedLoss', threshold=0.5),
        regression=None))
