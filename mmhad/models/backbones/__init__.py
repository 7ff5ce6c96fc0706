from .torchvision_dilated_resnet import TorchvisionDilatedResNet

__all__ = ['TorchvisionDilatedResNet']
