"""Change a model's parameter updates after every optimizer step.

Projection and masking methods (SPG, SGP) are defined on gradients for
SGD. With Adam, which divides each coordinate by its own running RMS, a
scaled or projected gradient does not give a scaled or projected step, so
these methods act on the step the optimizer took instead, which for plain
SGD is the same thing. The loop builds a new optimizer every phase, so the
filter hooks onto every optimizer's ``step`` (PyTorch's global step
hooks), bound weakly to its owner, and the hooks are removed when the owner
is collected: a filter built in a process does not stay hooked into every
later optimizer.
"""
import weakref
from typing import Dict

import torch
from torch import Tensor
from torch.optim.optimizer import (register_optimizer_step_post_hook,
                                   register_optimizer_step_pre_hook)


class StepFilter:
    """Calls ``owner.filter_step(name, param, step)`` for the owner's
    filtered parameters after every optimizer step that updates them, and
    writes back the step it returns.

    The owner (a :class:`~mmhad.components.StepFilterComponent`, which
    builds its filter) provides ``filtered_names()``, the names of the
    architecture's parameters to filter; nothing is filtered while it is
    not training.
    """

    def __init__(self, owner) -> None:
        self._owner = weakref.ref(owner)
        self._before: Dict[str, Tensor] = {}
        self._handles = [
            register_optimizer_step_pre_hook(self._save),
            register_optimizer_step_post_hook(self._filter)
        ]
        # the global hooks hold this filter, not its owner: remove them
        # with the owner
        weakref.finalize(owner, StepFilter._remove, self._handles)

    @staticmethod
    def _remove(handles) -> None:
        for handle in handles:
            handle.remove()

    def _params(self, optimizer) -> Dict[str, Tensor]:
        owner = self._owner()
        if owner is None or not owner.training:
            return {}
        names = owner.filtered_names()
        owned = {id(p) for group in optimizer.param_groups
                 for p in group['params']}
        return {n: p for n, p in owner.architecture.named_parameters()
                if n in names and id(p) in owned}

    def _save(self, optimizer, args, kwargs) -> None:
        self._before = {n: p.detach().clone()
                        for n, p in self._params(optimizer).items()}

    def _filter(self, optimizer, args, kwargs) -> None:
        owner = self._owner()
        with torch.no_grad():
            for name, param in self._params(optimizer).items():
                if name in self._before:
                    old = self._before[name]
                    param.copy_(old + owner.filter_step(name, param - old))
        self._before = {}
