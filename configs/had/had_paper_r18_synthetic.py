# HAD with the paper's defaults on the synthetic indoor rooms. The knobs are
# spelled out so that --cfg-options can change any of them (e.g.
# model.db_loss.eps=0.01). had_r18_synthetic.py is the tuned demo config.
_base_ = ['../baselines/finetune_r18_synthetic.py']
model = dict(
    type='HAD',
    distill_weight=3.0,  # lambda
    delta=0.5,  # foreground threshold of regression-task groups
    db_loss=dict(type='DistributionBalancedLoss', mean='geometric', eps=1e-6),
    sg_loss=dict(type='SalienceGuidedLoss', threshold=0.9),  # k
    task_weighting='paper')
