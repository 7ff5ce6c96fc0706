"""The dilated ResNet of the HAD reference code, on top of mmseg's ResNet."""
from mmseg.models.backbones.resnet import BasicBlock, ResNet

from mmhad.registry import MODELS


@MODELS.register_module()
class TorchvisionDilatedResNet(ResNet):
    """ResNet made dilated the way torchvision-based multi-task code does it.

    The HAD reference network (and MTAN's ``ResnetDilated`` before it) takes
    torchvision's ResNet (7x7 stem, ``pytorch`` style) and, in each dilated
    stage, sets stride 1 and gives **every** 3x3 conv the stage's dilation,
    the formerly strided one half of it. mmseg's ``ResNet`` with
    ``contract_dilation=True`` does the same for Bottleneck blocks, but never
    dilates ``BasicBlock.conv2``: with identical weights a ResNet-18's
    features then differ. This class dilates ``BasicBlock.conv2`` too, and
    keeps mmseg's module names, which are torchvision's (``conv1``, ``bn1``,
    ``layer3.0.downsample.0`` ...), so ``torchvision://resnet18`` /
    ``resnet50`` weights load unchanged (only ``fc`` is left over).

    Args:
        depth (int): 18, 34, 50, 101 or 152.
        strides (tuple[int]): Stride of each stage (output stride 8:
            ``(1, 2, 1, 1)``).
        dilations (tuple[int]): Dilation of each stage (``(1, 1, 2, 4)``).
        zero_init_residual (bool): Zero-initialise the last norm of each
            block when training from scratch; ``False`` as torchvision.
        **kwargs: See mmseg's ``ResNet``; ``style``, ``deep_stem`` and
            ``contract_dilation`` are fixed to the reference's choices.
    """

    def __init__(self,
                 depth: int,
                 strides=(1, 2, 1, 1),
                 dilations=(1, 1, 2, 4),
                 zero_init_residual: bool = False,
                 **kwargs) -> None:
        for key, value in (('style', 'pytorch'), ('deep_stem', False),
                           ('contract_dilation', True)):
            if kwargs.pop(key, value) != value:
                raise ValueError(f'TorchvisionDilatedResNet fixes {key}='
                                 f'{value!r}; use mmseg ResNet for others')
        super().__init__(
            depth,
            strides=strides,
            dilations=dilations,
            style='pytorch',
            deep_stem=False,
            contract_dilation=True,
            zero_init_residual=zero_init_residual,
            **kwargs)
        for name, dilation in zip(self.res_layers, dilations):
            if dilation == 1:
                continue
            for block in getattr(self, name):
                if isinstance(block, BasicBlock):
                    block.conv2.dilation = (dilation, dilation)
                    block.conv2.padding = (dilation, dilation)
