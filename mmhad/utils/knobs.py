"""Numeric knobs with a declared range, checked when their owner is built.

A class that mixes in :class:`RangeChecked` declares the range of each of
its numeric ``__init__`` arguments in ``KNOBS`` (merged along its bases);
the arguments are checked before its ``__init__`` runs, so a config with
``distill_weight=-3`` or ``delta=7`` fails when the model is built, with
the class, the knob, the value and the range in the message, and not as a
silent wrong run or at the first step that reads the knob. ``None`` is
left to the class: for an optional knob it means "off". A knob that was
renamed keeps its old name in ``RENAMED`` (old -> new): a config that
still uses it loads, with a ``DeprecationWarning`` that gives the new
name (every component's weight is ``loss_weight``, as in mmseg's losses).
A knob that moved elsewhere is named in ``REPLACED`` (knob -> what took
its place): a config that still gives it fails, saying where it went.
"""
import functools
import inspect
import math
import warnings
from dataclasses import dataclass
from typing import Dict, Mapping


@dataclass(frozen=True)
class Range:
    """An interval of finite numbers, or of integers.

    Args:
        low (float): Lower bound (``-inf``: none).
        high (float): Upper bound (``inf``: none).
        low_open (bool): ``low`` itself is out.
        high_open (bool): ``high`` itself is out.
        integer (bool): Only ``int`` values (not ``bool``).
    """
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    integer: bool = False

    def __contains__(self, value) -> bool:
        kinds = int if self.integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kinds):
            return False
        if not math.isfinite(value):
            return False
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below

    def __str__(self) -> str:
        left = '(' if self.low_open or self.low == -math.inf else '['
        right = ')' if self.high_open or self.high == math.inf else ']'
        what = 'an integer' if self.integer else 'a finite number'
        return f'{what} in {left}{self.low:g}, {self.high:g}{right}'

    def outside(self):
        """A value this range refuses (for tests that walk the knobs)."""
        if self.low != -math.inf:
            value = self.low if self.low_open else self.low - 1
        elif self.high != math.inf:
            value = self.high if self.high_open else self.high + 1
        else:
            return math.nan
        return int(value) if self.integer else float(value)


#: Shorthands for the ranges most knobs take.
NON_NEGATIVE = Range(0.)
POSITIVE = Range(0., low_open=True)
UNIT = Range(0., 1.)
OPEN_UNIT = Range(0., 1., low_open=True, high_open=True)
ANY_FINITE = Range()
COUNT = Range(1, integer=True)


def knob_ranges(cls) -> Dict[str, Range]:
    """Every ``KNOBS`` entry of ``cls`` and its bases (a subclass's entry
    replaces its base's)."""
    ranges: Dict[str, Range] = {}
    for klass in reversed(cls.__mro__):
        ranges.update(vars(klass).get('KNOBS', {}))
    return ranges


def renamed_knobs(cls) -> Dict[str, str]:
    """Every ``RENAMED`` entry (old name -> new name) of ``cls`` and its
    bases."""
    renamed: Dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        renamed.update(vars(klass).get('RENAMED', {}))
    return renamed


def replaced_knobs(cls) -> Dict[str, str]:
    """Every ``REPLACED`` entry (knob -> what took its place) of ``cls``
    and its bases."""
    replaced: Dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        replaced.update(vars(klass).get('REPLACED', {}))
    return replaced


def refuse_replaced(owner: str, replaced: Mapping[str, str],
                    kwargs: Mapping) -> None:
    """Raise ``TypeError`` for a knob given that is no longer the owner's,
    saying what took its place."""
    for name in kwargs:
        if name in replaced:
            raise TypeError(f'{owner}: {name} is no longer a knob of '
                            f'{owner}; use {replaced[name]}')


def rename_knobs(owner: str, renamed: Mapping[str, str],
                 kwargs: dict) -> dict:
    """``kwargs`` with old knob names replaced by the new ones.

    Raises:
        TypeError: If a knob is given under both names.
    """
    kwargs = dict(kwargs)
    for old, new in renamed.items():
        if old not in kwargs:
            continue
        if new in kwargs:
            raise TypeError(f'{owner}: {old} and {new} are one knob (its '
                            f'old and new name); give {new} only')
        warnings.warn(f'{owner}: {old} is deprecated, use {new}',
                      DeprecationWarning, stacklevel=4)
        kwargs[new] = kwargs.pop(old)
    return kwargs


def check_knobs(owner: str, ranges: Mapping[str, Range],
                values: Mapping) -> None:
    """Raise ``ValueError`` for the first value outside its range.

    Args:
        owner (str): The class, for the message.
        ranges (dict): Knob name -> :class:`Range`.
        values (dict): Knob name -> value; names absent or ``None`` are
            skipped.
    """
    for name, allowed in ranges.items():
        value = values.get(name)
        if value is not None and value not in allowed:
            raise ValueError(f'{owner}: {name}={value!r} is out of range; '
                             f'expected {allowed}')


class RangeChecked:
    """Mixin: the subclass's ``__init__`` checks ``KNOBS`` first.

    Every class in the hierarchy that defines ``__init__`` gets it wrapped
    once, when the class is created; the wrapper checks the arguments of
    that ``__init__`` (defaults included) against the ranges of the built
    object's class (:func:`knob_ranges`).
    """

    #: Knob name -> :class:`Range`, for this class's own knobs.
    KNOBS: Dict[str, Range] = {}
    #: Old knob name -> its name now, still accepted with a warning.
    RENAMED: Dict[str, str] = {}
    #: Knob that is no longer the class's -> what took its place, in words
    #: (a config that still gives it is refused with them).
    REPLACED: Dict[str, str] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        init = vars(cls).get('__init__')
        if init is None or getattr(init, '_checks_knobs', False):
            return
        signature = inspect.signature(init)

        @functools.wraps(init)
        def checked_init(self, *args, **kwargs):
            refuse_replaced(type(self).__name__, replaced_knobs(type(self)),
                            kwargs)
            kwargs = rename_knobs(type(self).__name__,
                                  renamed_knobs(type(self)), kwargs)
            bound = signature.bind(self, *args, **kwargs)
            bound.apply_defaults()
            check_knobs(type(self).__name__, knob_ranges(type(self)),
                        bound.arguments)
            init(self, *args, **kwargs)

        checked_init._checks_knobs = True
        cls.__init__ = checked_init
