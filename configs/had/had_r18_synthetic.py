# HAD on the synthetic indoor rooms, on the CPU in minutes (the README's
# main job). The knobs, with the paper's defaults, are spelled out so that
# --cfg-options can change any of them (e.g. model.db_loss.eps=0.01).
_base_ = ['../baselines/finetune_r18_synthetic.py']
model = dict(
    type='HAD',
    distill_weight=3.0,  # lambda
    delta=0.5,  # foreground threshold of regression-task groups
    db_loss=dict(type='DistributionBalancedLoss', mean='geometric', eps=1e-6),
    sg_loss=dict(type='SalienceGuidedLoss', threshold=0.9),  # k
    task_weighting='paper')
