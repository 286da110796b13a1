"""Overlap queries answer what the pairwise check answers, for any ranges."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from news_ingest.tag.overlaps import Disjoint, Occupied

ranges = st.lists(st.tuples(st.integers(0, 200), st.integers(1, 30)).map(lambda r: (r[0], r[0] + r[1])), max_size=40)


def pairwise(kept: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(not (end <= a or start >= b) for a, b in kept)


@given(ranges, ranges)
def test_occupied_finds_an_overlap_exactly_when_a_pairwise_check_does(
    stored: list[tuple[int, int]], queries: list[tuple[int, int]]
) -> None:
    occupied = Occupied(stored)
    for start, end in queries:
        assert occupied.overlaps(start, end) == pairwise(stored, start, end)


@given(ranges)
def test_disjoint_keeps_a_range_exactly_when_it_meets_none_kept_before(offered: list[tuple[int, int]]) -> None:
    disjoint, kept = Disjoint(), []
    for start, end in offered:
        expected = not pairwise(kept, start, end)
        assert disjoint.add(start, end) == expected
        if expected:
            kept.append((start, end))
