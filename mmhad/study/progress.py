"""A progress bar over a study's runs, with an ETA.

On a terminal the bar is redrawn in place; otherwise (a log file, a CI
job) a line is printed each time a run starts or ends. The ETA assumes the
runs still to go take as long as the finished ones took on average, with
``workers`` of them side by side.
"""
import sys
import time
from typing import Optional, TextIO


def clock(seconds: Optional[float]) -> str:
    """``'1:02:03'`` / ``'2:03'``; ``'?'`` when unknown."""
    if seconds is None:
        return '?'
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return (f'{hours}:{minutes:02d}:{secs:02d}' if hours else
            f'{minutes}:{secs:02d}')


class Progress:
    """Counts finished, failed and running runs out of ``total``.

    Args:
        total (int): Runs to do.
        workers (int): How many run side by side (for the ETA).
        stream (file, optional): Where to write (stdout by default).
        width (int): Characters of the bar.
    """

    def __init__(self, total: int, workers: int = 1,
                 stream: Optional[TextIO] = None, width: int = 24) -> None:
        self.total, self.workers, self.width = total, max(1, workers), width
        self.stream = stream or sys.stdout
        self.tty = bool(getattr(self.stream, 'isatty', lambda: False)())
        self.start = time.monotonic()
        self.done = self.failed = self.running = 0
        self.durations = []

    def eta(self) -> Optional[float]:
        """Seconds still to go, or None before a run has ended."""
        if not self.durations:
            return None
        left = self.total - self.done - self.failed
        mean = sum(self.durations) / len(self.durations)
        return mean * left / min(self.workers, max(left, 1))

    def line(self) -> str:
        ended = self.done + self.failed
        filled = int(self.width * ended / self.total) if self.total else 0
        bar = '#' * filled + '.' * (self.width - filled)
        failed = f', {self.failed} failed' if self.failed else ''
        elapsed = clock(time.monotonic() - self.start)
        return (f'[{bar}] {ended}/{self.total} runs ({self.running} '
                f'running{failed}) elapsed {elapsed} ETA {clock(self.eta())}')

    def _write(self, message: str = '') -> None:
        if self.tty:
            # the message above, the bar redrawn on the last line
            text = '\r\033[K' + (message + '\n' if message else '')
            self.stream.write(text + self.line())
        elif message:
            self.stream.write(f'{message}  {self.line()}\n')
        self.stream.flush()

    def started(self, name: str) -> None:
        self.running += 1
        self._write(f'start {name}')

    def ended(self, name: str, ok: bool, seconds: float) -> None:
        self.running -= 1
        if ok:
            self.done += 1
        else:
            self.failed += 1
        self.durations.append(seconds)
        self._write(f'{"done " if ok else "FAILED"} {name} ({clock(seconds)})')

    def close(self) -> None:
        if self.tty:
            self.stream.write('\n')
            self.stream.flush()
