"""The one place where task declarations become :class:`DenseTask` objects.

A dataset declares its tasks once (``tasks=dict(semantic=dict(type=
'SemanticTask', num_classes=13), depth=dict(type='DepthTask'))`` in its
config, kept in its ``metainfo``); the model, the evaluator, the visualiser
and the tools all build them here.
"""
import copy
import warnings
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

from mmhad.registry import DENSE_TASKS
from .base import DenseTask


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


def declare_tasks(tasks: Optional[Mapping[str, dict]],
                  task_names: Optional[Sequence[str]],
                  default_names: Sequence[str],
                  dataset_kwargs: dict,
                  dataset: str = 'the dataset') -> Tuple[List[str], dict]:
    """A dataset's ``tasks`` and ``task_names`` arguments as the names of
    the tasks it loads, and its keyword arguments for
    :class:`mmengine.dataset.BaseDataset` with the declaration in
    ``metainfo['tasks']``.

    Args:
        tasks (dict, optional): The declaration: task name -> task-kind
            config (the model, the evaluator and the visualiser take it
            from the dataset's metainfo).
        task_names (list[str], optional): The tasks to load, by name; by
            default the declared ones, else ``default_names``.
        default_names (list[str]): The dataset's tasks when neither says.
        dataset_kwargs (dict): The dataset's other keyword arguments.
        dataset (str): The dataset, for messages.

    Raises:
        TypeError: If ``tasks`` is not a dict.
        KeyError: If ``task_names`` names a task ``tasks`` does not declare.
    """
    if tasks is not None and not isinstance(tasks, Mapping):
        if isinstance(tasks, str):
            raise TypeError(f'{dataset}: tasks must be a dict of task-kind '
                            f'configs, got the string {tasks!r}')
        # a list of names was the selection's spelling before task_names
        warnings.warn(
            f'{dataset}: tasks={list(tasks)!r} selects tasks by name; that '
            'is task_names now (tasks is the dict that declares them)',
            DeprecationWarning, stacklevel=3)
        if task_names is not None:
            raise TypeError(f'{dataset}: give task_names only, not a list '
                            'of names in tasks too')
        tasks, task_names = None, list(tasks)
    if tasks is None:
        return list(task_names or default_names), dataset_kwargs
    undeclared = [t for t in task_names or () if t not in tasks]
    if undeclared:
        raise KeyError(f'{dataset}: task_names {undeclared} are not among '
                       f'the declared tasks {list(tasks)}')
    declared = {k: copy.deepcopy(dict(v)) for k, v in tasks.items()}
    metainfo = dict(dataset_kwargs.get('metainfo') or {}, tasks=declared)
    return list(task_names or tasks), dict(dataset_kwargs,
                                           metainfo=metainfo)


def config_tasks(cfg) -> Dict[str, dict]:
    """The task declaration of a config: that of the first dataset (train,
    val, test) that declares its tasks.

    Raises:
        ValueError: when no dataset of the config declares the tasks.
    """
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dataset = (cfg.get(loader) or {}).get('dataset') or {}
        if isinstance(dataset.get('tasks'), Mapping):
            return {k: dict(v) for k, v in dataset['tasks'].items()}
    raise ValueError(
        'the config declares no task: give its datasets tasks=dict(<name>='
        "dict(type='SemanticTask', ...), ...)")


def trained_tasks(cfg, checkpoint: Optional[dict] = None
                  ) -> Dict[str, dict]:
    """The tasks of a trained model: those its checkpoint records (the
    training set's declaration, in ``meta['dataset_meta']['tasks']``),
    else the config's datasets' (:func:`config_tasks`). What the test tool
    and :func:`mmhad.apis.init_model` give the model.

    Args:
        cfg (Config): The model's config.
        checkpoint (dict, optional): The loaded checkpoint.
    """
    meta = (checkpoint or {}).get('meta') or {}
    declared = (meta.get('dataset_meta') or {}).get('tasks')
    return dict(declared) if declared else config_tasks(cfg)
