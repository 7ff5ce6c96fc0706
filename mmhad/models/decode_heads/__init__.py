from .torchvision_deeplab_head import TorchvisionDeepLabHead

__all__ = ['TorchvisionDeepLabHead']
