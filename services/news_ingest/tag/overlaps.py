"""Overlap queries over character ranges in O(log n), so an article with tens of thousands of mentions (a body
that repeats one name) costs n log n, not the n² of pairwise checks."""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable


class Occupied:
    """A fixed set of [start, end) ranges, possibly overlapping each other; asks whether a range meets any."""

    def __init__(self, ranges: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(ranges)
        self._starts = [start for start, _ in ordered]
        self._reach = list(itertools.accumulate((end for _, end in ordered), max))  # furthest end so far

    def overlaps(self, start: int, end: int) -> bool:
        before = bisect.bisect_left(self._starts, end)  # ranges starting before ``end``...
        return before > 0 and self._reach[before - 1] > start  # ...of which one reaches past ``start``


class Disjoint:
    """Ranges kept so that none overlaps another; ``add`` refuses a range that meets one already kept."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def add(self, start: int, end: int) -> bool:
        at = bisect.bisect_right(self._starts, start)
        if at > 0 and self._ends[at - 1] > start:
            return False
        if at < len(self._starts) and self._starts[at] < end:
            return False
        self._starts.insert(at, start)
        self._ends.insert(at, end)
        return True
