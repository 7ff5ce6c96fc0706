from numbers import Number
from typing import Any, Dict, Optional, Sequence

import torch
from mmengine.model import BaseDataPreprocessor

from mmhad.registry import MODELS


@MODELS.register_module()
class MultiTaskDataPreprocessor(BaseDataPreprocessor):
    """Move a batch to the device, stack and normalise the images.

    Images come from the dataset as float tensors (3, H, W) in [0, 1] (the
    pre-processed NYUv2 release stores them so), hence mean and std are on the
    same scale (ImageNet statistics by default, for pretrained backbones).

    Args:
        mean (Sequence[Number], optional): Per-channel mean; ``None`` to skip
            normalisation.
        std (Sequence[Number], optional): Per-channel std.
    """

    def __init__(self,
                 mean: Optional[Sequence[Number]] = (0.485, 0.456, 0.406),
                 std: Optional[Sequence[Number]] = (0.229, 0.224, 0.225),
                 non_blocking: bool = False) -> None:
        super().__init__(non_blocking)
        if (mean is None) != (std is None):
            raise ValueError('mean and std must both be set or both be None')
        self._normalize = mean is not None
        if self._normalize:
            self.register_buffer('mean',
                                 torch.tensor(mean).view(-1, 1, 1), False)
            self.register_buffer('std',
                                 torch.tensor(std).view(-1, 1, 1), False)

    def forward(self, data: Dict[str, Any], training: bool = False) -> dict:
        data = self.cast_data(data)
        inputs = data['inputs']
        if isinstance(inputs, (list, tuple)):
            shapes = {tuple(img.shape) for img in inputs}
            if len(shapes) > 1:
                paths = [s.metainfo.get('img_path') for s in
                         data.get('data_samples') or []]
                raise ValueError(
                    f'images of one batch must have one size, got {shapes} '
                    f'(images {paths}); resize or crop them in the pipeline')
            inputs = torch.stack(list(inputs))
        inputs = inputs.float()
        if self._normalize:
            inputs = (inputs - self.mean) / self.std
        return dict(inputs=inputs, data_samples=data.get('data_samples'))
