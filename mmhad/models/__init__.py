# mmseg's models register the backbones, necks and heads that configs name.
import mmseg.models  # noqa: F401

from .backbones import *  # noqa: F401,F403
from .data_preprocessor import MultiTaskDataPreprocessor
from .decode_heads import *  # noqa: F401,F403
from .lifelong_dense_predictor import LifelongDensePredictor
from .losses import *  # noqa: F401,F403
from .pretext_classifier import PretextClassifier, save_backbone

__all__ = [
    'MultiTaskDataPreprocessor', 'LifelongDensePredictor', 'PretextClassifier',
    'save_backbone'
]
