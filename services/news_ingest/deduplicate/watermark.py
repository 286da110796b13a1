"""Event-time progress of the input, per partition: the clock the dedup window expires by.

A partition's watermark is its ``RUN_AHEAD``-th highest article time less the allowed lateness: articles
within the lateness of the partition's front are on time, and one or two articles dated ahead of the rest
cannot move it. The index's watermark is the lowest over the partitions the group reads (the standard
streaming watermark), so a partition whose backlog is read first, or a replica that ran ahead, never
expires what a slower partition still needs. A partition that has delivered fewer than ``RUN_AHEAD``
articles holds the watermark where it is; one not heard from for ``idle_seconds`` of wall time stops
holding it. The watermark never moves back.

The Redis index replays one log into an in-memory index per replica, wall times included, so every replica
moves one watermark; ``tests/contract`` pins both backends to one clock.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable

RUN_AHEAD = 3  # the article time a partition's watermark follows: its third highest


def partition_of(source: str) -> str:
    """``topic/partition`` of a ``topic/partition/offset`` source position (any prefix before the offset)."""
    return source.rpartition("/")[0] or source


class Watermarks:
    """Per-partition front and wall time last heard, and the watermark they give."""

    def __init__(self, *, lateness_seconds: float, idle_seconds: float) -> None:
        self._lateness = lateness_seconds
        self._idle = idle_seconds
        self._front: dict[str, list[float]] = {}  # partition -> its RUN_AHEAD highest article times, ascending
        self._heard: dict[str, float] = {}  # partition -> wall time it last delivered (or was assigned)
        self.current = -math.inf

    def track(self, partitions: Iterable[str], now: float) -> None:
        """Partitions this consumer now reads: each holds the watermark until it delivers or goes idle."""
        for partition in partitions:
            self._front.setdefault(partition, [])
            self._heard[partition] = now

    def observe(self, source: str, timestamp: float, now: float) -> None:
        partition = partition_of(source)
        front = self._front.setdefault(partition, [])
        bisect.insort(front, timestamp)
        if len(front) > RUN_AHEAD:
            del front[0]
        self._heard[partition] = now

    def advance(self, now: float) -> float:
        """The watermark after what was observed: the lowest partition front of the live partitions."""
        live = [p for p, heard in self._heard.items() if now - heard < self._idle]
        if live:
            lowest = min(self._front[p][0] if len(self._front[p]) == RUN_AHEAD else -math.inf for p in live)
            self.current = max(self.current, lowest - self._lateness)
        return self.current
