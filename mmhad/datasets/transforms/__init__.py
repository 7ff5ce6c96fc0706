from .formatting import PackMultiTaskInputs
from .geometric import RandomHorizontalFlip, RandomScaleCrop
from .loading import LoadMultiTaskNpy, load_npy

__all__ = [
    'LoadMultiTaskNpy', 'load_npy', 'RandomScaleCrop', 'RandomHorizontalFlip',
    'PackMultiTaskInputs'
]
