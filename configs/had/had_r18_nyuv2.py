# HAD on NYUv2, semantic -> depth -> normal, dilated ResNet-18, reference
# protocol. Paper: Delta_m vs fine-tuning +32.74 %.
_base_ = ['../baselines/finetune_r18_nyuv2.py']
model = dict(
    type='HAD',
    distill_weight=3.0,  # lambda
    delta=0.5,  # foreground threshold of regression-task groups
    db_loss=dict(type='DistributionBalancedLoss', mean='geometric'),
    sg_loss=dict(type='SalienceGuidedLoss', threshold=0.9),  # k
    task_weighting='paper')
