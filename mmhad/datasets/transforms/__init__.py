from .formatting import PackMultiTaskInputs
from .geometric import PadTo, RandomHorizontalFlip, RandomScaleCrop, ResizeTo
from .loading import LoadMultiTaskNpy, load_npy

__all__ = [
    'LoadMultiTaskNpy', 'load_npy', 'RandomScaleCrop', 'RandomHorizontalFlip',
    'PadTo', 'ResizeTo',
    'PackMultiTaskInputs'
]
