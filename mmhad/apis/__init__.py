from .inference import (DEPTH_PNG_SCALE, inference_model, init_model,
                        save_predictions)
from .inferencer import MultiTaskInferencer

__all__ = [
    'init_model', 'inference_model', 'save_predictions', 'DEPTH_PNG_SCALE',
    'MultiTaskInferencer'
]
