"""What a study run's work dir says: finished, started, or new; its log."""
import glob
import os
import os.path as osp
import time
from typing import List

from mmhad.engine.work_dir import (RESULTS_FILE, RUN_FILE_PATTERNS,
                                   STUDY_LOG_FILE, set_aside)
from .fingerprint import write_record

FINISHED, STARTED, NEW = 'finished', 'started', 'new'
#: Files an attempt of the train tool leaves: the ones its new-run check
#: refuses to replace, and the study's log.
RUN_FILES = RUN_FILE_PATTERNS + (STUDY_LOG_FILE, )


def is_finished(work_dir: str) -> bool:
    """Whether the run's ``lifelong_results.json`` has every phase."""
    from mmhad.evaluation.lifelong_report import load_run
    path = osp.join(work_dir, RESULTS_FILE)
    if not osp.isfile(path):
        return False
    try:
        return load_run(path).complete
    except (ValueError, OSError):
        return False  # cut short while it was written


def run_state(work_dir: str) -> str:
    """``finished``, ``started`` (an earlier attempt left files) or
    ``new``."""
    if is_finished(work_dir):
        return FINISHED
    for pattern in RUN_FILES:
        if glob.glob(osp.join(glob.escape(work_dir), pattern)):
            return STARTED
    return NEW


def prepare_attempt(run, state: str, resume: bool) -> bool:
    """Ready a run's work dir for its next attempt (both launchers);
    returns whether the attempt continues the earlier one (the train
    tool's ``--resume``).

    A run started earlier continues when ``resume``; otherwise its files
    are set aside. An attempt that starts afresh records the config it
    trains (:func:`~mmhad.study.fingerprint.write_record`).
    """
    again = resume and state == STARTED
    if state == STARTED and not resume:
        set_aside(run.work_dir)
    os.makedirs(run.work_dir, exist_ok=True)
    if not again:
        write_record(run)
    return again


def delete_checkpoints(work_dir: str) -> None:
    """Remove a finished run's ``.pth`` files (its results and logs
    stay)."""
    for path in glob.glob(osp.join(glob.escape(work_dir), '*.pth')):
        os.remove(path)


def error_tail(path: str, max_lines: int = 15) -> List[str]:
    """The last lines of a log: from its last traceback on when it has
    one, at most ``max_lines``."""
    try:
        with open(path, errors='replace') as f:
            lines = f.read().splitlines()[-400:]
    except OSError:
        return [f'(no log at {path})']
    lines = [line for line in lines if line.strip()]
    starts = [i for i, line in enumerate(lines)
              if line.startswith('Traceback')]
    if starts:
        lines = lines[starts[-1]:]
    return lines[-max_lines:]


def attempt_header(command: List[str], resume: bool) -> str:
    """The line that opens an attempt in the run's log."""
    stamp = time.strftime('%Y-%m-%d %H:%M:%S')
    how = 'resumed' if resume else 'started'
    return (f'==== [mmhad study] {how} at {stamp}: '
            f'{" ".join(command)}\n')
