# the scale of the depth PNGs that save_predictions writes
from mmhad.tasks.output_forms import DEPTH_PNG_SCALE
from .inference import inference_model, init_model, save_predictions
from .inferencer import MultiTaskInferencer

__all__ = [
    'init_model', 'inference_model', 'save_predictions', 'DEPTH_PNG_SCALE',
    'MultiTaskInferencer'
]
