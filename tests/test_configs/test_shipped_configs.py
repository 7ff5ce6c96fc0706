"""Every shipped method config trains as it did when its tiny run was
recorded (``tests/data/shipped_tiny_runs.json``, see ``shipped_runs.py``):
the same per-phase metrics and the same weights.

A run is bit-identical on one kind of CPU only (vector units differ), so on
the kind of machine that recorded a run (the entry's ``machine``, else the
record's) the figures must be equal to the last bit; elsewhere they must
agree to 1 % (a changed method setting, a dropped
term or a reordered random draw moves them by far more).
"""
import json
import math
import os.path as osp

import pytest

from tests.test_configs.shipped_runs import (RECORD, machine, run_config,
                                             shipped_method_configs)

with open(RECORD) as f:
    RECORDED = json.load(f)


def recorded_here(config: str) -> bool:
    """Whether ``config``'s entry was recorded on this kind of CPU."""
    entry = RECORDED['runs'][config]
    return entry.get('machine', RECORDED['machine']) == machine()


def test_every_shipped_method_config_is_recorded():
    assert sorted(RECORDED['runs']) == shipped_method_configs()


def flatten(run: dict) -> dict:
    """``{'phase<t>/<task>/<metric>': value, 'weights/<part>': sum}``."""
    values = {f'weights/{part}': value
              for part, value in run['weights'].items()}
    for phase in run['phases']:
        for task, metrics in phase['metrics'].items():
            for metric, value in metrics.items():
                values[f'phase{phase["phase"]}/{task}/{metric}'] = value
    return values


@pytest.mark.slow
@pytest.mark.parametrize('config', shipped_method_configs(),
                         ids=osp.basename)
def test_shipped_config_trains_as_recorded(config, tiny_data_root, tmp_path):
    got = flatten(run_config(config, tiny_data_root, str(tmp_path)))
    expected = flatten(RECORDED['runs'][config])
    assert got.keys() == expected.keys()
    same_machine = recorded_here(config)
    for key, value in expected.items():
        if same_machine:
            assert got[key] == value, key
        else:
            assert math.isclose(got[key], value, rel_tol=1e-2,
                                abs_tol=1e-3), key
