"""Progress of long command-line work: a bar on a terminal, a ``progress`` log line now and then otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO

import structlog

log = structlog.get_logger(__name__)

_WIDTH = 30


class Progress:
    """Counts work done out of ``total``; draws a bar when ``stream`` is a terminal (redrawn at most ten times
    a second), else logs ``progress`` every ``interval`` seconds, so a log pipeline sees long work moving."""

    def __init__(self, what: str, total: int, *, stream: TextIO | None = None, interval: float = 5.0) -> None:
        self._what = what
        self._total = total
        self._stream = stream or sys.stderr
        self._terminal = self._stream.isatty()
        self._interval = 0.1 if self._terminal else interval
        self._started = self._shown = time.monotonic()
        self.done = 0

    def advance(self, count: int = 1) -> None:
        self.done += count
        now = time.monotonic()
        if now - self._shown >= self._interval:
            self._shown = now
            self._show(now)

    def finish(self) -> float:
        """Ends the bar's line; returns the seconds the work took."""
        elapsed = time.monotonic() - self._started
        if self._terminal:
            self._show(time.monotonic())
            self._stream.write("\n")
            self._stream.flush()
        return elapsed

    def _show(self, now: float) -> None:
        rate = self.done / max(now - self._started, 1e-9)
        if not self._terminal:
            log.info("progress", work=self._what, done=self.done, total=self._total, per_second=round(rate, 1))
            return
        filled = _WIDTH * self.done // max(self._total, 1)
        bar = "#" * filled + "." * (_WIDTH - filled)
        self._stream.write(f"\r{self._what} [{bar}] {self.done}/{self._total} {rate:,.0f}/s")
        self._stream.flush()
