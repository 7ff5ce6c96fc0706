"""Config mistakes found before the Runner starts, not hours into a run.

mmengine ignores top-level keys it does not read (``randomnes.seed=1``
changes nothing) and ``CheckpointHook`` keeps unknown arguments until its
first save (``intervall=1`` fails at the last epoch of the last phase).
"""
import difflib
import inspect
from typing import Iterable, List

from mmengine.config import Config
from mmengine.hooks import CheckpointHook
from mmengine.runner import Runner

from mmhad.registry import HOOKS

#: Top-level keys that mmengine's Runner (or tools/train.py) reads.
RUNNER_KEYS = frozenset(
    set(inspect.signature(Runner.__init__).parameters) - {'self', 'cfg'}
    | {
        'model_wrapper_cfg', 'find_unused_parameters', 'sync_bn', 'compile',
        'activation_checkpointing', 'efficient_conv_bn_eval',
        'custom_imports'
    })


def _did_you_mean(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ''


def unread_key_warnings(file_keys: Iterable[str],
                        option_keys: Iterable[str]) -> List[str]:
    """Warnings for top-level keys that nothing reads.

    Args:
        file_keys (Iterable[str]): Top-level keys of the config file (with
            its ``_base_`` files), before ``--cfg-options``.
        option_keys (Iterable[str]): The dotted keys given with
            ``--cfg-options``.

    Returns:
        list[str]: One line per top-level key set by ``--cfg-options`` that
        neither the config file nor the Runner knows, and per config-file
        key one typo away from a Runner key.
    """
    file_keys = set(file_keys)
    warnings = []
    for key in sorted({k.split('.')[0] for k in option_keys} - file_keys -
                      RUNNER_KEYS):
        warnings.append(f"--cfg-options sets the top-level key '{key}', "
                        'which nothing reads'
                        f'{_did_you_mean(key, RUNNER_KEYS | file_keys)}')
    for key in sorted(file_keys - RUNNER_KEYS):
        hint = _did_you_mean(key, RUNNER_KEYS)
        if hint and not key.startswith('_'):
            warnings.append(f"the config's top-level key '{key}' is not "
                            f'read by the Runner{hint}')
    return warnings


def check_hook_arguments(cfg: Config) -> None:
    """Raise on hook arguments that the hook would reject only later.

    Every hook of ``default_hooks`` and ``custom_hooks`` is looked up and
    its arguments compared with its constructor; ``CheckpointHook`` passes
    unknown arguments on to ``Runner.save_checkpoint``, so they are
    compared with that too.

    Raises:
        TypeError: Naming the hook, the unknown arguments and, where one is
            close, the argument probably meant.
    """
    hooks = [(f'default_hooks.{name}', hook)
             for name, hook in (cfg.get('default_hooks') or {}).items()]
    hooks += [(f'custom_hooks[{i}]', hook)
              for i, hook in enumerate(cfg.get('custom_hooks') or [])]
    for where, hook in hooks:
        if not isinstance(hook, dict) or 'type' not in hook:
            continue
        hook_type = hook['type']
        hook_cls = HOOKS.get(hook_type) if isinstance(hook_type,
                                                      str) else hook_type
        if not inspect.isclass(hook_cls):
            raise TypeError(f'{where}: unknown hook type {hook_type!r}')
        params = inspect.signature(hook_cls.__init__).parameters
        accepted = set(params) - {'self'}
        takes_any = any(p.kind is p.VAR_KEYWORD for p in params.values())
        if takes_any and issubclass(hook_cls, CheckpointHook):
            accepted |= set(inspect.signature(
                Runner.save_checkpoint).parameters) - {'self'}
            takes_any = False
        unknown = sorted(set(hook) - accepted - {'type', 'priority'})
        if unknown and not takes_any:
            hints = ''.join(_did_you_mean(k, accepted) for k in unknown)
            raise TypeError(f'{where} ({hook_cls.__name__}) got unknown '
                            f'argument(s) {unknown}{hints}')
