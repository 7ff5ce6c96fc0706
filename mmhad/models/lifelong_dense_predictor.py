"""A shared encoder with one decoder head per task, growing as tasks arrive."""
import copy
import warnings
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModel
from mmseg.models.utils import resize
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

from mmhad.registry import MODELS
from mmhad.structures import MultiTaskDataSample, stack_task_field
from mmhad.tasks import DenseTask, build_tasks
from .dense_prediction_mixin import DensePredictionMixin

HEADS_PREFIX = 'heads.'


def bad_gt_files(task, gt: Tensor,
                 data_samples: Sequence[MultiTaskDataSample]) -> List[str]:
    """The annotation files (``<task>_path`` of each sample's metainfo, else
    its image) of the samples whose ground truth ``task.check_gt`` refuses.
    """
    bad = []
    for sample, sample_gt in zip(data_samples, gt):
        try:
            task.check_gt(sample_gt[None])
        except ValueError:
            bad.append(sample.metainfo.get(f'{task.name}_path',
                                           sample.metainfo.get('img_path')))
    return bad


@MODELS.register_module()
class LifelongDensePredictor(DensePredictionMixin, BaseModel):
    """Shared backbone (+ optional neck) and a ``ModuleDict`` of task heads.

    Heads are not built with the model: :meth:`add_task` builds the head of a
    task when its phase starts, from the ``decode_head`` template with the
    task's number of output channels. Loading a state dict that holds heads
    the model does not have yet builds them first, so a phase checkpoint
    loads into a freshly built model.

    The model is built knowing no task: :meth:`set_tasks` gives it the
    training set's declaration (the lifelong loop does, from the dataset's
    metainfo) or a trained model's (its checkpoint's meta, through
    :func:`mmhad.tasks.trained_tasks`, as ``tools/test.py`` and
    :func:`mmhad.apis.init_model` do).

    Any mmseg / mmpretrain backbone, neck and decode head can be named in the
    config; heads must accept ``num_classes`` (mmseg decode heads do).

    Args:
        backbone (dict): Backbone config.
        decode_head (dict): Head template; ``num_classes`` / ``out_channels``
            are filled in per task.
        neck (dict, optional): Neck config.
        align_corners (bool): Of the bilinear upsampling to input size.
        channels_last (bool): Keep weights and inputs in the channels-last
            memory format (faster convolutions on recent GPUs, with AMP).
        data_preprocessor (dict, optional): Data preprocessor config.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 decode_head: dict,
                 neck: Optional[dict] = None,
                 align_corners: bool = False,
                 channels_last: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(type='MultiTaskDataPreprocessor')
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck) if neck is not None else None
        self.decode_head_cfg = copy.deepcopy(decode_head)
        self.align_corners = align_corners
        self.channels_last = channels_last
        self.tasks: Dict[str, DenseTask] = {}
        self.task_cfgs: Dict[str, dict] = {}
        self.heads = nn.ModuleDict()
        self._memory_format(self.backbone)
        if self.neck is not None:
            self._memory_format(self.neck)
        self._register_load_state_dict_pre_hook(self._add_heads_in_state_dict)

    def init_weights(self) -> None:
        """mmengine's initialisation, then a pretrained backbone checked:
        mmengine loads a ``Pretrained`` checkpoint with ``strict=False``, so
        the weights of another network (a classifier of another layout, a
        whole mmhad model without ``prefix='backbone.'``) would load nothing
        and leave the backbone as initialised, without an error.

        Raises:
            ValueError: If the backbone's checkpoint holds none of its
                weights, naming the file and what the keys look like.
        """
        from mmengine.runner import CheckpointLoader

        from mmhad.engine.safe_checkpoint_loader import check_weights_fit
        super().init_weights()
        init_cfg = getattr(self.backbone, 'init_cfg', None) or {}
        if isinstance(init_cfg, dict) and init_cfg.get('type') == \
                'Pretrained' and init_cfg.get('checkpoint'):
            filename = init_cfg['checkpoint']
            checkpoint = CheckpointLoader.load_checkpoint(
                filename, map_location='cpu')
            state = checkpoint.get('state_dict', checkpoint)
            prefix = init_cfg.get('prefix')
            if prefix:
                prefix = prefix if prefix.endswith('.') else prefix + '.'
                state = {k[len(prefix):]: v for k, v in state.items()
                         if k.startswith(prefix)}
            check_weights_fit(self.backbone.state_dict().keys(),
                              dict(state_dict=state),
                              f'{filename} (backbone init_cfg)')

    # ------------------------------------------------------------------ tasks
    def set_tasks(self, tasks: Dict[str, dict]) -> None:
        """Know the tasks of ``tasks`` (name -> task-kind config), as a
        dataset declares them. Once known, the same declaration is accepted
        again and any other refused (heads already built depend on it)."""
        tasks = {name: dict(cfg) for name, cfg in tasks.items()}
        if not tasks:
            raise ValueError('LifelongDensePredictor needs at least one task')
        if self.task_cfgs and tasks != self.task_cfgs:
            raise ValueError(
                f'the model already knows the tasks {self.task_cfgs}; the '
                f'dataset declares {tasks}. Declare the tasks once, in the '
                'training set\'s config')
        self.tasks = build_tasks(tasks)
        self.task_cfgs = tasks

    # ------------------------------------------------------------------ heads
    @property
    def task_names(self) -> List[str]:
        """Tasks that have a head, in the order they were added."""
        return list(self.heads.keys())

    def get_task(self, name: str) -> DenseTask:
        """The task kind of ``name``, with a clear error if unknown."""
        if not self.tasks:
            raise KeyError(
                f'task {name!r}: this model knows no task yet; they come '
                'from the training set (train_dataloader.dataset.tasks) when '
                'training starts, or from a checkpoint\'s meta (init_model)')
        if name not in self.tasks:
            raise KeyError(f'unknown task {name!r}; this model knows '
                           f'{sorted(self.tasks)} (the dataset\'s tasks)')
        return self.tasks[name]

    def add_task(self, name: str) -> nn.Module:
        """Build, initialise and register the head of task ``name``.

        Returns:
            nn.Module: The new head (already on the backbone's device).
        """
        task = self.get_task(name)
        if name in self.heads:
            raise ValueError(f'task {name!r} already has a head')
        cfg = copy.deepcopy(self.decode_head_cfg)
        cfg.update(num_classes=task.out_channels,
                   out_channels=task.out_channels)
        if task.out_channels == 1:
            # mmseg asks binary heads for a threshold; unused for regression.
            cfg.setdefault('threshold', 0.5)
        with warnings.catch_warnings():
            # mmseg heads build a segmentation loss of their own (and warn
            # about its defaults); it is never used, tasks define the losses.
            warnings.filterwarnings('ignore', module=r'mmseg\.models')
            head = MODELS.build(cfg)
        head.init_weights()
        param = next(self.backbone.parameters(), None)
        if param is not None:
            head.to(param.device)
        self._memory_format(head)
        self.heads[name] = head
        return head

    @property
    def uses_batch_norm(self) -> bool:
        """Whether a layer computes batch statistics (or a head to come
        will: heads are built phase by phase)."""
        head_norm = self.decode_head_cfg.get('norm_cfg') or {}
        return 'BN' in str(head_norm.get('type', '')) or any(
            isinstance(m, _BatchNorm) for m in self.modules())

    def _memory_format(self, module: nn.Module) -> None:
        if self.channels_last:
            module.to(memory_format=torch.channels_last)

    def missing_heads(self, state_dict: dict, prefix: str = '') -> List[str]:
        """Tasks whose head ``state_dict`` holds (keys ``<prefix>heads.
        <task>.``) and this model has not built, in the state dict's order.

        Raises:
            KeyError: If a head is of a task this model does not know.
        """
        names = []
        for key in state_dict:
            if key.startswith(prefix + HEADS_PREFIX):
                name = key[len(prefix + HEADS_PREFIX):].split('.', 1)[0]
                if name not in names and name not in self.heads:
                    names.append(name)
        for name in names:
            if name not in self.tasks:
                raise KeyError(
                    f'the checkpoint has a head for task {name!r}, which '
                    f'this model does not know (its tasks: '
                    f'{sorted(self.tasks)})')
        return names

    def _add_heads_in_state_dict(self, state_dict, prefix, *args) -> None:
        # a state dict loads only into heads that exist
        for name in self.missing_heads(state_dict, prefix):
            self.add_task(name)

    # ---------------------------------------------------------------- forward
    def extract_feat(self, inputs: Tensor) -> Sequence[Tensor]:
        """Backbone (+ neck) features of normalised images (N, 3, H, W)."""
        if self.channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        feats = self.backbone(inputs)
        if self.neck is not None:
            feats = self.neck(feats)
        return feats

    def decode(self, feats: Sequence[Tensor], names: Sequence[str],
               size) -> Dict[str, Tensor]:
        """Run the heads of ``names`` on shared features.

        Returns:
            dict[str, Tensor]: Activated predictions (N, C, H, W) at ``size``.
        """
        outputs = {}
        for name in names:
            if name not in self.heads:
                raise KeyError(f'task {name!r} has no head yet; heads: '
                               f'{self.task_names}')
            logits = resize(
                self.heads[name](feats),
                size=size,
                mode='bilinear',
                align_corners=self.align_corners)
            outputs[name] = self.tasks[name].activate(logits)
        return outputs

    def predict_tasks(self,
                      inputs: Tensor,
                      names: Optional[Sequence[str]] = None
                      ) -> Dict[str, Tensor]:
        """Predictions of several tasks with one backbone pass."""
        names = self.task_names if names is None else names
        return self.decode(self.extract_feat(inputs), names, inputs.shape[2:])

    def supervised_losses(self, outputs: Dict[str, Tensor],
                          data_samples: Sequence[MultiTaskDataSample],
                          names: Sequence[str]) -> Dict[str, Tensor]:
        """``new.loss.<task>`` of each task in ``names``, from ground
        truth."""
        losses = {}
        for name in names:
            task = self.tasks[name]
            gt = stack_task_field(data_samples, task.gt_key)
            try:
                losses[f'new.loss.{name}'] = task.loss(outputs[name], gt)
            except ValueError as err:
                raise ValueError(
                    f'{err}; in {bad_gt_files(task, gt, data_samples)}'
                ) from None
        return losses

    def loss(self, inputs: Tensor,
             data_samples: List[MultiTaskDataSample]) -> Dict[str, Tensor]:
        """Supervised losses of every task that has a head."""
        return self.supervised_losses(
            self.predict_tasks(inputs), data_samples, self.task_names)
