"""Run a study's runs on this machine: a pool of worker processes.

Each run is one ``tools/train.py`` process with ``threads`` threads (for
every math library), ``workers`` of them side by side; its output goes to
``<run dir>/study.log``. A run that fails keeps its log and is listed at
the end with the last lines of its error; the others go on. Interrupted
(Ctrl-C, SIGTERM), the pool stops its runs, which the same command
continues later.
"""
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, TextIO

from ..engine.work_dir import STUDY_LOG_FILE
from .progress import Progress
from .run import (attempt_header, delete_checkpoints, error_tail, is_finished,
                  prepare_attempt, run_state)
from .spec import Run, fill_port, run_env, train_command


def default_workers_threads(workers: Optional[int] = None,
                            threads: Optional[int] = None) -> tuple:
    """Workers and threads per worker from the CPUs this process may use:
    one thread per run and one run per CPU unless told otherwise."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cpus = os.cpu_count() or 1
    threads = max(1, threads or 1)
    workers = max(1, workers or cpus // threads)
    return workers, threads


def visible_devices() -> List[str]:
    """The GPUs this process may give its workers: ``CUDA_VISIBLE_DEVICES``
    when set, else every CUDA device (none on a machine without one)."""
    listed = os.environ.get('CUDA_VISIBLE_DEVICES')
    if listed is not None:
        return [d for d in listed.split(',') if d.strip()]
    import torch
    return [str(i) for i in range(torch.cuda.device_count())]


def slot_devices(slot: int, processes: int,
                 devices: Sequence[str]) -> Dict[str, str]:
    """The environment giving worker ``slot`` its own ``processes`` GPUs
    (nothing without GPUs: each rank then runs on the CPU, with gloo).

    Raises:
        ValueError: If there are GPUs but too few for the slot.
    """
    if not devices:
        return {}
    mine = devices[slot * processes:(slot + 1) * processes]
    if len(mine) < processes:
        raise ValueError(
            f'worker {slot} needs {processes} GPU(s), but only '
            f'{len(devices)} are visible ({",".join(devices)}): use fewer '
            '--workers or a smaller gpus_per_run')
    return dict(CUDA_VISIBLE_DEVICES=','.join(mine))


def free_port() -> int:
    """A TCP port no process listens on now (a distributed run's
    rendezvous)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@dataclass
class Failure:
    """A run that did not finish."""
    name: str
    log: str
    returncode: Optional[int]
    tail: List[str] = field(default_factory=list)


@dataclass
class Outcome:
    """What a launch did."""
    finished: List[str] = field(default_factory=list)
    skipped: List[str] = field(default_factory=list)
    failed: List[Failure] = field(default_factory=list)
    interrupted: List[str] = field(default_factory=list)


def _die_with_parent() -> None:  # pragma: no cover - runs in the child
    """Linux: the run gets SIGTERM if the study tool itself is killed."""
    try:
        import ctypes
        ctypes.CDLL('libc.so.6').prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


class _Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise _Stop(signal.Signals(signum).name)


def _stop(process: subprocess.Popen, grace: float = 15.0) -> None:
    """SIGTERM to the run's process group, SIGKILL after ``grace`` s."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


def run_local(runs: Sequence[Run],
              workers: int,
              threads: int,
              resume: bool = False,
              keep_checkpoints: bool = False,
              stream: Optional[TextIO] = None,
              poll: float = 0.2) -> Outcome:
    """Train every run that has not finished, ``workers`` at a time.

    Args:
        runs (list[Run]): The runs, started in this order.
        workers (int): Runs side by side.
        threads (int): Threads of each run.
        resume (bool): Continue runs an earlier attempt left unfinished
            (the train tool's ``--resume``); without it they start again
            (the earlier files are moved to ``replaced_<time>/``).
        keep_checkpoints (bool): Keep a finished run's ``.pth`` files.
        stream (file, optional): Progress output.
        poll (float): Seconds between looks at the running processes.
    """
    outcome = Outcome()
    todo = []
    for run in runs:
        state = run_state(run.work_dir)
        if state == 'finished':
            outcome.skipped.append(run.name)
        else:
            todo.append((run, state))
    progress = Progress(len(todo), workers, stream)
    running = {}  # name -> (run, process, log file, start)
    handlers = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        try:
            handlers[sig] = signal.signal(sig, _raise_stop)
        except ValueError:  # not the main thread: no handlers there
            pass
    queue = list(todo)
    free_slots = list(range(workers))
    devices = visible_devices()
    try:
        while queue or running:
            while queue and len(running) < workers:
                run, state = queue.pop(0)
                again = prepare_attempt(run, state, resume)
                slot = free_slots.pop(0)
                command = fill_port(train_command(run, resume=again),
                                    free_port())
                log = open(os.path.join(run.work_dir, STUDY_LOG_FILE), 'a')
                log.write(attempt_header(command, again))
                log.flush()
                process = subprocess.Popen(
                    command, stdout=log, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env=dict(run_env(threads, checkout=run.checkout),
                             **slot_devices(slot, run.processes, devices)),
                    start_new_session=True, preexec_fn=_die_with_parent)
                running[run.name] = (run, process, log, time.monotonic(),
                                     slot)
                progress.started(run.name)
            time.sleep(poll)
            for name in list(running):
                run, process, log, start, slot = running[name]
                code = process.poll()
                if code is None:
                    continue
                log.close()
                del running[name]
                free_slots.append(slot)
                ok = code == 0 and is_finished(run.work_dir)
                if ok:
                    outcome.finished.append(name)
                    if not keep_checkpoints:
                        delete_checkpoints(run.work_dir)
                else:
                    path = os.path.join(run.work_dir, STUDY_LOG_FILE)
                    tail = error_tail(path)
                    if code == 0:
                        tail.append('(the train tool exited 0 but the run '
                                    'has not finished every phase)')
                    outcome.failed.append(Failure(name, path, code, tail))
                progress.ended(name, ok, time.monotonic() - start)
    except (KeyboardInterrupt, _Stop) as stop:
        reason = str(stop) or 'Ctrl-C'
        for name, (run, process, log, _, _) in running.items():
            _stop(process)
            log.write(f'==== [mmhad study] stopped ({reason}); the same '
                      'study command continues it\n')
            log.close()
            outcome.interrupted.append(name)
        outcome.interrupted += [run.name for run, _ in queue]
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        progress.close()
    return outcome
