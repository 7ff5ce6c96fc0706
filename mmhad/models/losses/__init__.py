from .distribution_balanced_loss import (DistributionBalancedLoss,
                                         distribution_balanced_loss)
from .salience_guided_loss import (SalienceGuidedLoss, salience_guided_loss,
                                   sobel_magnitude)

__all__ = [
    'DistributionBalancedLoss', 'distribution_balanced_loss',
    'SalienceGuidedLoss', 'salience_guided_loss', 'sobel_magnitude'
]
