"""What a lifelong run's work dir holds: where a resumed run continues, and
whether a new run may start there.

Everything is looked up by file name inside the work dir itself (never
through the absolute path mmengine writes into ``last_checkpoint``), so a
copied or moved work dir resumes from its own files.
"""
import glob
import os
import os.path as osp
import re
import time
import zipfile
from typing import List, Optional, Sequence, Tuple

#: Phase checkpoints, ``phase_<t>_<task>[+<task>...].pth``: the one place
#: their names are written (:func:`phase_checkpoint_name`) and read
#: (:func:`phase_checkpoints`).
PHASE_CHECKPOINT_GLOB = 'phase_*.pth'
#: A run's per-phase results (:class:`~mmhad.engine.LifelongResultsHook`
#: writes it; resume, the reports and the studies read it): the one place
#: its name is written.
RESULTS_FILE = 'lifelong_results.json'
#: What the study tool adds to a run's work dir: the train tool's output of
#: every attempt, the record of the config the run trained, and the Slurm
#: task that runs it now.
STUDY_LOG_FILE = 'study.log'
STUDY_RECORD_FILE = 'study_run.json'
SLURM_JOB_FILE = 'slurm_job'
#: Where an earlier run's files go when a new one starts in its work dir
#: (nothing is deleted): ``replaced_<time>/``.
REPLACED_PREFIX = 'replaced_'
#: Files of a run, relative to its work dir; a new run must not replace them.
RUN_FILE_PATTERNS = (RESULTS_FILE, 'last_checkpoint', 'epoch_*.pth',
                     PHASE_CHECKPOINT_GLOB)
_EPOCH_CHECKPOINT = re.compile(r'epoch_(\d+)\.pth$')
_PHASE_CHECKPOINT = re.compile(r'phase_(\d+)_(.+)\.pth$')


def phase_checkpoint_name(phase: int, tasks: Sequence[str]) -> str:
    """File name of the checkpoint saved at the end of ``phase``
    (1-based) that learnt ``tasks``."""
    return f'phase_{phase}_{"+".join(tasks)}.pth'


def phase_checkpoints(work_dir: str) -> List[Tuple[int, str, str]]:
    """``(phase, task(s) learnt, path)`` of every phase checkpoint in
    ``work_dir``, in phase order (tasks joined by ``+``)."""
    found = []
    for path in glob.glob(osp.join(work_dir, PHASE_CHECKPOINT_GLOB)):
        match = _PHASE_CHECKPOINT.match(osp.basename(path))
        if match:
            found.append((int(match.group(1)), match.group(2), path))
    return sorted(found)


def is_readable_checkpoint(path: str) -> bool:
    """Whether ``path`` is a complete ``torch.save`` archive.

    A file cut short by a kill while it was written lacks the zip directory
    that ``torch.save`` writes last; reading that directory is cheap.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            return bool(archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def checkpoint_epoch(path: str, epochs_per_phase: int) -> Optional[int]:
    """Epoch counter a checkpoint was saved at, from its file name:
    ``epoch_<n>.pth`` -> n, ``phase_<t>_<tasks>.pth`` -> t * epochs per
    phase; ``None`` for other names."""
    name = osp.basename(path)
    match = _EPOCH_CHECKPOINT.match(name)
    if match:
        return int(match.group(1))
    match = _PHASE_CHECKPOINT.match(name)
    if match:
        return int(match.group(1)) * epochs_per_phase
    return None


def find_resume_checkpoint(work_dir: str, epochs_per_phase: int,
                           logger=None) -> Optional[str]:
    """The latest readable checkpoint of the run in ``work_dir``.

    Epoch checkpoints and phase checkpoints are both candidates (a config
    that saves epoch checkpoints rarely still resumes from its last finished
    phase). At the same epoch the phase checkpoint wins: it is saved after
    the phase's evaluation and end-of-phase work. Unreadable (truncated)
    files are skipped with a warning.

    Returns:
        str or None: Path inside ``work_dir``; ``None`` when it holds none.
    """
    candidates: List[Tuple[int, bool, str]] = []
    for path in glob.glob(osp.join(glob.escape(work_dir), '*.pth')):
        epoch = checkpoint_epoch(path, epochs_per_phase)
        if epoch is not None:
            is_phase = bool(_PHASE_CHECKPOINT.match(osp.basename(path)))
            candidates.append((epoch, is_phase, path))
    for epoch, _, path in sorted(candidates, reverse=True):
        if is_readable_checkpoint(path):
            return path
        if logger is not None:
            logger.warning(f'{path} is not a complete checkpoint (cut short '
                           'by a kill while it was written?): skipped')
    return None


def existing_run_files(work_dir: str) -> List[str]:
    """Names of the files of an earlier run in ``work_dir``."""
    found = set()
    for pattern in RUN_FILE_PATTERNS:
        found.update(
            osp.basename(p)
            for p in glob.glob(osp.join(glob.escape(work_dir), pattern)))
    return sorted(found)


def set_aside(work_dir: str) -> Optional[str]:
    """Move everything in ``work_dir`` (but the folders of earlier
    set-asides) into a new ``replaced_<time>/`` inside it; returns that
    folder, ``None`` when there was nothing to move."""
    if not osp.isdir(work_dir) or not os.listdir(work_dir):
        return None
    backup = osp.join(work_dir,
                      REPLACED_PREFIX + time.strftime('%Y%m%d_%H%M%S'))
    while osp.exists(backup):  # twice in one second
        backup += '_'
    os.makedirs(backup)
    for name in os.listdir(work_dir):
        path = osp.join(work_dir, name)
        if path != backup and not name.startswith(REPLACED_PREFIX):
            os.replace(path, osp.join(backup, name))
    return backup


def check_new_run(work_dir: str, overwrite: bool = False,
                  logger=None) -> None:
    """Refuse to start a new run over an earlier run's files.

    Args:
        work_dir (str): The new run's work dir.
        overwrite (bool): Move the earlier run's whole work dir content into
            ``<work_dir>/replaced_<time>/`` instead of refusing; nothing is
            deleted.

    Raises:
        FileExistsError: If ``work_dir`` holds an earlier run and
            ``overwrite`` is False.
    """
    files = existing_run_files(work_dir)
    if not files:
        return
    if not overwrite:
        shown = ', '.join(files[:6]) + (' ...' if len(files) > 6 else '')
        raise FileExistsError(
            f'work dir {work_dir} already holds a run ({shown}). Add '
            '--resume to continue it, give another --work-dir for a new '
            'run, or add --overwrite to start again there (the earlier '
            "run's files are moved to a replaced_<time>/ folder inside it)")
    backup = set_aside(work_dir)
    if logger is not None:
        logger.warning(f'--overwrite: the earlier run in {work_dir} was '
                       f'moved to {backup}')
