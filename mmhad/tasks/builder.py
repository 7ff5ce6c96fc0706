"""The one place where task declarations become :class:`DenseTask` objects.

A dataset declares its tasks once (``tasks=dict(semantic=dict(type=
'SemanticTask', num_classes=13), depth=dict(type='DepthTask'))`` in its
config, kept in its ``metainfo``); the model, the evaluator, the visualiser
and the tools all build them here.
"""
import copy
from typing import Dict, List, Mapping, Sequence, Tuple, Union

from mmhad.registry import DENSE_TASKS
from .base import DenseTask

TaskDeclaration = Union[Mapping[str, dict], Sequence[str]]


def build_tasks(tasks: Mapping[str, Union[dict, DenseTask]]
                ) -> Dict[str, DenseTask]:
    """Task name -> task kind, from a dict of task-kind configs (objects
    already built are kept).

    Args:
        tasks (dict[str, dict]): e.g. ``dict(depth=dict(type='DepthTask'))``.
    """
    built = {}
    for name, cfg in tasks.items():
        if isinstance(cfg, DenseTask):
            built[name] = cfg
            continue
        if not isinstance(cfg, Mapping) or 'type' not in cfg:
            raise TypeError(
                f'task {name!r}: expected a task-kind config with a type, '
                f"e.g. dict(type='DepthTask'), got {cfg!r}")
        built[name] = DENSE_TASKS.build(
            copy.deepcopy(dict(cfg)), default_args=dict(name=name))
    return built


def declare_tasks(tasks: TaskDeclaration,
                  dataset_kwargs: dict) -> Tuple[List[str], dict]:
    """A dataset's ``tasks`` argument as its task names, and its keyword
    arguments for :class:`mmengine.dataset.BaseDataset` with the
    declaration in ``metainfo['tasks']``.

    A dict of task-kind configs declares the tasks (the model, the
    evaluator and the visualiser take them from the dataset's metainfo); a
    list of names only selects them (the model must then know them).
    """
    if isinstance(tasks, str):
        raise TypeError(f'tasks must be a dict of task-kind configs or a '
                        f'list of names, got the string {tasks!r}')
    if not isinstance(tasks, Mapping):
        return list(tasks), dataset_kwargs
    declared = {k: copy.deepcopy(dict(v)) for k, v in tasks.items()}
    metainfo = dict(dataset_kwargs.get('metainfo') or {}, tasks=declared)
    return list(tasks), dict(dataset_kwargs, metainfo=metainfo)


def config_tasks(cfg) -> Dict[str, dict]:
    """The task declaration of a config: ``model.architecture.tasks`` when
    a config still names them there, else the first dataset (train, val,
    test) that declares them as a dict of task-kind configs.

    Raises:
        ValueError: when no place of the config declares the tasks.
    """
    model = cfg.get('model') or {}
    architecture = model.get('architecture') or model
    if architecture.get('tasks'):
        return dict(architecture['tasks'])
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = (cfg.get(loader) or {}).get('dataset') or {}
        if isinstance(dataset.get('tasks'), Mapping):
            return {k: dict(v) for k, v in dataset['tasks'].items()}
    raise ValueError(
        'the config declares no task: give its datasets tasks=dict(<name>='
        "dict(type='SemanticTask', ...), ...)")
