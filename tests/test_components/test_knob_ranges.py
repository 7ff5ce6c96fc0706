"""Every numeric knob of every registered component, pseudo-label grouping
and HAD loss has a declared range, and a value outside it is refused when
the object is built, naming the class, the knob, the value and the range.

The classes and their knobs are found by walking the registries and the
``__init__`` signatures, not from a hand list: a new component with an
undeclared numeric knob fails here."""
import inspect
import math
import re
import typing

import pytest

from mmhad.components.base import LifelongComponent
from mmhad.registry import MODELS, PSEUDO_GROUPINGS
from mmhad.utils import register_all_modules
from mmhad.utils.knobs import Range, RangeChecked, knob_ranges

register_all_modules()

#: Registered classes outside the components that hold knobs of HAD's.
HAD_LOSSES = ('DistributionBalancedLoss', 'SalienceGuidedLoss',
              'ReferenceSalienceGuidedLoss')


def walked_classes():
    classes = {}
    for name, cls in MODELS.module_dict.items():
        if isinstance(cls, type) and (issubclass(cls, LifelongComponent)
                                      or name in HAD_LOSSES):
            classes[name] = cls
    classes.update(PSEUDO_GROUPINGS.module_dict)
    return classes


CLASSES = walked_classes()


def is_numeric(parameter: inspect.Parameter) -> bool:
    """A scalar number by its default or its annotation (``Optional[int]``
    included); ``bool`` is not a number here."""
    default = parameter.default
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        return True
    annotation = parameter.annotation
    kinds = typing.get_args(annotation) or (annotation, )
    return any(kind in (int, float) for kind in kinds)


def numeric_knobs(cls):
    signature = inspect.signature(cls.__init__)  # through the check wrapper
    return [p.name for p in signature.parameters.values()
            if p.name != 'self' and is_numeric(p)]


def test_the_walk_finds_every_kind_of_class():
    assert {'HAD', 'LwF', 'EWC', 'SGP', 'ExemplarReplay', 'Piggyback',
            'ClassGrouping', 'ForegroundGrouping', 'DistributionBalancedLoss',
            'SalienceGuidedLoss'} <= set(CLASSES)
    assert all(issubclass(cls, RangeChecked) for cls in CLASSES.values())


@pytest.mark.parametrize('name', sorted(CLASSES))
def test_every_numeric_knob_has_a_range(name):
    cls = CLASSES[name]
    undeclared = set(numeric_knobs(cls)) - set(knob_ranges(cls))
    assert not undeclared, f'{name}: no range in KNOBS for {undeclared}'
    cls()  # the defaults are in range


def accepted_knobs(cls):
    """The declared knobs this class's ``__init__`` takes (SPG is an
    EWC-like regularizer without EWC's penalty knobs)."""
    taken = inspect.signature(cls.__init__).parameters
    return sorted(k for k in knob_ranges(cls) if k in taken)


@pytest.mark.parametrize('name,knob', [(name, knob)
                                       for name in sorted(CLASSES)
                                       for knob in accepted_knobs(
                                           CLASSES[name])])
def test_a_value_outside_the_range_is_refused_at_build(name, knob):
    cls = CLASSES[name]
    allowed = knob_ranges(cls)[knob]
    bad = allowed.outside()
    assert bad not in allowed
    with pytest.raises(ValueError) as info:
        cls(**{knob: bad})
    message = str(info.value)
    assert message.startswith(f'{cls.__name__}: {knob}={bad!r} ')
    assert str(allowed) in message


@pytest.mark.parametrize('cfg,match', [
    (dict(type='HAD', loss_weight=-3), r'HAD: loss_weight=-3 '),
    (dict(type='EWC', loss_weight=-3), r'EWC: loss_weight=-3 '),
    (dict(type='HAD', groupings=dict(regression=dict(
        type='ForegroundGrouping', delta=7))),
     r'ForegroundGrouping: delta=7 .*\(0, 1\)'),
    (dict(type='HAD', groupings=dict(regression=dict(
        type='ForegroundGrouping', num_bins=0))), r'num_bins=0 .*integer'),
    (dict(type='ReferenceHAD', groupings=dict(regression=dict(
        type='ReferenceForegroundGrouping', num_bins=2.5))),
     r'num_bins=2.5'),
    (dict(type='HAD', groupings=dict(depth=dict(type='ForegroundGrouping'))),
     r"groupings keys must be among \('classification', 'regression'\)"),
    (dict(type='LwF', temperature=0), r'LwF: temperature=0 '),
    (dict(type='EWC', decay=1.5), r'EWC: decay=1.5 '),
    (dict(type='SalienceGuidedLoss', threshold=1.5), r'selects no pixel'),
    (dict(type='SalienceGuidedLoss', padding='reflect'), r"'reflect'"),
])
def test_the_reported_misconfigurations_fail_when_built(cfg, match):
    with pytest.raises(ValueError, match=match):
        MODELS.build(cfg)


@pytest.mark.parametrize('knob,where', [
    ('delta', "groupings=dict(regression=dict(type='ForegroundGrouping'"),
    ('regression_bins', 'num_bins=...'),
    ('regression_groups', "type='ReferenceForegroundGrouping'"),
    ('strict_split', "type='ReferenceForegroundGrouping'"),
    ('task_weighting', "type='ReferenceHAD'"),
])
def test_knobs_that_left_hads_api_say_where_they_went(knob, where):
    """The reference code's quirks and the grouping knobs are no longer
    HAD's: a config that still gives one is refused with its place now."""
    with pytest.raises(TypeError, match=f'HAD: {knob} is no longer a knob '
                       f'of HAD; use .*{re.escape(where)}'):
        MODELS.build({'type': 'HAD', knob: 0.5})


@pytest.mark.parametrize('type_,old', [
    ('HAD', 'distill_weight'), ('LwF', 'distill_weight'),
    ('AttentionDistillation', 'attention_weight'),
    ('FeatureDistillation', 'hint_weight'), ('EWC', 'penalty_weight'),
    ('MAS', 'penalty_weight'), ('ExemplarReplay', 'replay_weight'),
    ('StructuredDistillation', 'pair_weight')
])
def test_old_weight_names_still_load_with_a_warning(type_, old):
    with pytest.warns(DeprecationWarning,
                      match=f'{type_}: {old} is deprecated, use loss_weight'):
        component = MODELS.build({'type': type_, old: 0.25})
    assert component.loss_weight == 0.25
    with pytest.raises(TypeError, match='give loss_weight only'):
        MODELS.build({'type': type_, old: 0.25, 'loss_weight': 0.5})
    # the old name is range-checked as the new one
    with pytest.raises(ValueError, match=f'{type_}: loss_weight=-1 '):
        with pytest.warns(DeprecationWarning):
            MODELS.build({'type': type_, old: -1})


def test_one_name_for_every_components_loss_weight():
    for name, cls in CLASSES.items():
        weights = [k for k in numeric_knobs(cls) if k.endswith('_weight')]
        assert weights in ([], ['loss_weight']), name


def test_a_raw_salience_threshold_may_exceed_1():
    loss = MODELS.build(dict(type='SalienceGuidedLoss', threshold=1.5,
                             normalize=False))
    assert loss.threshold == 1.5


def test_range_membership_and_wording():
    weight = Range(0.)
    assert 0 in weight and 2.5 in weight and 3 in weight
    assert -1e-9 not in weight and math.inf not in weight
    assert math.nan not in weight and True not in weight
    assert '1' not in weight
    count = Range(1, integer=True)
    assert 1 in count and 2.0 not in count and 0 not in count
    assert str(count) == 'an integer in [1, inf)'
    assert str(Range(0., 1., low_open=True)) == 'a finite number in (0, 1]'
    assert math.isnan(Range().outside())
