"""An encoder with a linear classifier, for formula-driven pretraining."""
from typing import Dict, Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import Tensor

from mmhad.registry import MODELS


@MODELS.register_module()
class PretextClassifier(BaseModel):
    """Backbone -> global average pooling -> linear layer over categories.

    The backbone is the one a lifelong config uses (same type, width and
    dilation), so that :meth:`backbone_state_dict` loads into it through
    ``model.architecture.backbone.init_cfg=dict(type='Pretrained',
    checkpoint=...)``.
    The classifier is thrown away after pretraining.

    Args:
        backbone (dict): Backbone config; its last output is pooled.
        num_classes (int): Pretext categories.
        in_channels (int): Channels of the backbone's last output.
        dropout (float): Dropout before the classifier.
        from_scratch (bool): Build the backbone without its ``init_cfg``:
            the lifelong templates name ImageNet weights that pretraining
            is meant to stand in for.
        data_preprocessor (dict, optional): Normalises the [0, 1] images as
            the lifelong configs do.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 num_classes: int,
                 in_channels: int,
                 dropout: float = 0.0,
                 from_scratch: bool = True,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='MultiTaskDataPreprocessor')
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if from_scratch:
            backbone = dict(backbone, init_cfg=None)
        self.backbone = MODELS.build(backbone)
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(in_channels, num_classes)

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[Tensor] = None,
                mode: str = 'tensor') -> Union[Dict[str, Tensor], Tensor]:
        """``'loss'``: cross-entropy and accuracy against ``data_samples``
        (class ids, (N, )); ``'tensor'`` / ``'predict'``: logits (N, K)."""
        feats = self.backbone(inputs)[-1]  # (N, C, h, w)
        logits = self.classifier(self.dropout(feats.mean(dim=(2, 3))))
        if mode in ('tensor', 'predict'):
            return logits
        if mode != 'loss':
            raise ValueError(f'unknown mode {mode!r}; expected loss, '
                             'predict or tensor')
        labels = data_samples.long()
        # mmengine sums the keys holding 'loss' and only logs the others
        return dict(
            loss_cls=F.cross_entropy(logits, labels),
            acc=(logits.argmax(1) == labels).float().mean().detach())

    def backbone_state_dict(self) -> Dict[str, Tensor]:
        """The backbone's weights and BN statistics, keys as the backbone
        names them (no ``backbone.`` prefix), on the CPU."""
        return {
            key: value.detach().cpu().clone()
            for key, value in self.backbone.state_dict().items()
        }


def save_backbone(model: PretextClassifier, path: str, meta: dict) -> None:
    """Write ``{'meta': ..., 'state_dict': backbone weights}``: a file that
    ``torch.load(weights_only=True)`` and mmengine's ``Pretrained`` init
    read (plain tensors, strings and numbers only)."""
    torch.save(dict(meta=meta, state_dict=model.backbone_state_dict()), path)
