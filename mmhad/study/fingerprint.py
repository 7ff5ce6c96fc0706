"""What a study run trained: a fingerprint of its merged config.

A run's results stand for the study's method only while the method's
config and options are the ones the run trained with. The launcher writes
the fingerprint of the run's merged config into its work dir
(:data:`STUDY_RECORD_FILE`) when it starts it; runs made before that are read
from the config the train tool dumped into the work dir. The report leaves
out a finished run whose fingerprint differs from the study's (its config
or options changed since), and ``tools/study.py --rerun-stale`` trains it
again.
"""
import copy
import hashlib
import json
import os.path as osp
from typing import Dict, Optional, Sequence

from mmengine.config import Config

from ..engine.work_dir import STUDY_RECORD_FILE
from ..utils.files import load_json
from .spec import Run

#: Config keys that say how a run was executed, not what it trained (the
#: train tool sets them per attempt).
EXECUTION_KEYS = ('work_dir', 'resume', 'load_from', 'launcher',
                  'runner_type', 'experiment_name', 'model_wrapper_cfg')


def config_fingerprint(cfg: dict) -> str:
    """16 hex digits of the SHA-256 of a merged config's contents, without
    :data:`EXECUTION_KEYS`."""
    content = {k: v for k, v in cfg.items() if k not in EXECUTION_KEYS}
    text = json.dumps(content, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def expected_fingerprint(run: Run) -> str:
    """The fingerprint of the run as the study defines it now."""
    key = (run.config, json.dumps(run.options, sort_keys=True, default=repr))
    if key not in _EXPECTED:
        if run.config not in _PARSED:
            _PARSED[run.config] = Config.fromfile(run.config)
        cfg = copy.deepcopy(_PARSED[run.config])
        cfg.merge_from_dict(run.options)
        _EXPECTED[key] = config_fingerprint(cfg.to_dict())
    return _EXPECTED[key]


# Within one process: a study's runs share a few configs (parsed once)
# and differ in their options.
_PARSED: Dict[str, Config] = {}
_EXPECTED: Dict[tuple, str] = {}


def recorded_fingerprint(run: Run) -> Optional[str]:
    """The fingerprint of what the run trained: the launcher's record, else
    that of the config the train tool dumped; ``None`` without either."""
    record = osp.join(run.work_dir, STUDY_RECORD_FILE)
    if osp.isfile(record):
        return load_json(
            record, 'the study\'s record of what config the run trained; '
            'move it away to judge the run by the config its train tool '
            'dumped').get('fingerprint')
    dumped = osp.join(run.work_dir, osp.basename(run.config))
    if osp.isfile(dumped):
        return config_fingerprint(Config.fromfile(dumped).to_dict())
    return None


def write_record(run: Run) -> None:
    """Record the run's fingerprint, config and options in its work dir
    (when the launcher starts it)."""
    with open(osp.join(run.work_dir, STUDY_RECORD_FILE), 'w') as f:
        json.dump(dict(fingerprint=expected_fingerprint(run),
                       config=run.config, options=run.options), f,
                  indent=1, default=repr)


def stale_runs(runs: Sequence[Run]) -> Dict[str, str]:
    """``{run name: why}`` of the runs whose recorded fingerprint differs
    from the study's (runs without one are not judged)."""
    stale = {}
    for run in runs:
        recorded = recorded_fingerprint(run)
        if recorded is None:
            continue
        expected = expected_fingerprint(run)
        if recorded != expected:
            stale[run.name] = (f'trained with config fingerprint {recorded}, '
                               f'the study\'s is now {expected}')
    return stale
