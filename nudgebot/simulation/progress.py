"""A progress bar for long runs: one line per policy, redrawn each simulated day."""

from __future__ import annotations

import time
from typing import TextIO

_WIDTH = 30
# Without a terminal, a plain line every tenth of the run (and at the end).
_PLAIN_LINES = 10


class DayProgress:
    """Shows how many simulated days of a policy's run are done, and the time so far.

    On a terminal the line is redrawn in place; otherwise (a log, CI) a plain line is written
    every tenth of the run, so logs stay short.
    """

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream
        self._terminal = stream is not None and stream.isatty()
        self._label = ""
        self._total = 1
        self._started = 0.0
        self._plain_every = 1

    def start(self, label: str, total_days: int) -> None:
        """Begin a new bar for `label` (a policy) over `total_days` days."""
        self._label = label
        self._total = max(total_days, 1)
        self._started = time.monotonic()
        self._plain_every = max(1, self._total // _PLAIN_LINES)
        self._draw(0, final=False)

    def day_done(self, days_done: int) -> None:
        """`days_done` of the days are simulated."""
        final = days_done >= self._total
        if self._terminal or final or days_done % self._plain_every == 0:
            self._draw(days_done, final=final)

    def _draw(self, days_done: int, *, final: bool) -> None:
        if self._stream is None:
            return
        filled = _WIDTH * days_done // self._total
        bar = "#" * filled + "." * (_WIDTH - filled)
        elapsed = time.monotonic() - self._started
        line = f"{self._label:>12} [{bar}] day {days_done}/{self._total}  {elapsed:5.0f} s"
        if self._terminal:
            self._stream.write("\r" + line + ("\n" if final else ""))
        else:
            self._stream.write(line + "\n")
        self._stream.flush()
