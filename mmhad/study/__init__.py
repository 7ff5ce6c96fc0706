"""Studies: methods x seeds x task orders x benchmarks x regimes.

A study config (``configs/studies/``) is expanded into runs of
``tools/train.py`` (:mod:`.spec`), which run on this machine
(:mod:`.local`) or on a Slurm cluster (:mod:`.slurm`), and are summarised
with the paper's statistics (:mod:`.report`, :mod:`.statistics`).
Run with ``tools/study.py``.
"""
from .local import Outcome, default_workers_threads, run_local
from .spec import Run, Study, load_study, train_command

__all__ = [
    'Run', 'Study', 'load_study', 'train_command', 'run_local', 'Outcome',
    'default_workers_threads'
]
