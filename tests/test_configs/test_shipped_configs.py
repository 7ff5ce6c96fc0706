"""Every shipped method config trains as it did when its tiny run was
recorded (``tests/data/shipped_tiny_runs.json``, see ``shipped_runs.py``):
the same per-phase metrics and the same weights, to the last bit.

A run is bit-identical on one kind of CPU only (vector units differ, and
the tiny runs amplify a rounding difference to several per cent), so a
config is compared with the entry of this machine's kind; a kind that has
no entry skips the config and says how to record one.
"""
import json
import os.path as osp

import pytest

from tests.test_configs.shipped_runs import (RECORD, machine, run_config,
                                             shipped_method_configs)

with open(RECORD) as f:
    RECORDED = json.load(f)


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
    entries = RECORDED['runs'][config]
    if machine() not in entries:
        pytest.skip(f'recorded on {sorted(entries)} only; record it on this '
                    'CPU with OMP_NUM_THREADS=1 python -m '
                    f'tests.test_configs.shipped_runs --record {config}')
    expected = flatten(entries[machine()])
    got = flatten(run_config(config, tiny_data_root, str(tmp_path)))
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == value, key
