"""One launcher per study at a time."""
import fcntl
import json
import os
import os.path as osp
import socket
import sys
import time

#: The lock file, in the study's folder.
LOCK_FILE = '.launcher.lock'


class StudyLockedError(RuntimeError):
    """Another launcher holds the study."""


class StudyLock:
    """An exclusive lock on a study's folder, held while a launcher runs or
    submits its runs: a second launcher (a ``--wait`` in another terminal,
    a local run beside a Slurm launch, an overlapping ``--select``) would
    train the same runs twice, or set aside the files of a run the first
    one is training.

    The lock is the kernel's (``flock``), released when the holder exits,
    however it exits; the file names the holder (host, process, command,
    start) for the refusal's message. ``flock`` works across hosts only on
    file systems that support it (most NFS setups do; run one launcher per
    study otherwise).

    Args:
        root (str): The study's folder.
    """

    def __init__(self, root: str) -> None:
        self.path = osp.join(root, LOCK_FILE)
        self._file = None

    def __enter__(self) -> 'StudyLock':
        os.makedirs(osp.dirname(self.path), exist_ok=True)
        handle = open(self.path, 'a+')
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            raise StudyLockedError(
                f'another launcher holds this study ({self.path}): '
                f'{describe(holder)}. Wait for it to end, or stop it; '
                '--dry-run and --report-only need no lock') from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(dict(
            host=socket.gethostname(), pid=os.getpid(),
            command=' '.join(sys.argv),
            since=time.strftime('%Y-%m-%d %H:%M:%S'))) + '\n')
        handle.flush()
        self._file = handle
        return self

    def __exit__(self, *exc) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def describe(holder: str) -> str:
    """The lock file's holder in words."""
    try:
        info = json.loads(holder)
    except ValueError:
        return 'its holder is not named in the lock file'
    return (f'process {info.get("pid")} on {info.get("host")} since '
            f'{info.get("since")} ({info.get("command")})')
