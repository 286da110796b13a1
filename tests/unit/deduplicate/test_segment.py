"""Sealed-segment lookups: exact keys, every row of a key held by several, nothing from an empty segment."""

from __future__ import annotations

import numpy as np

from news_ingest.deduplicate.segment import SortedKeys, key, keys


def lookup(values: list[int]) -> SortedKeys:
    return SortedKeys(np.array(values, dtype=np.uint64), np.arange(len(values), dtype=np.int64))


def test_first_finds_the_first_row_of_each_key_and_minus_one_for_the_rest() -> None:
    found = lookup([50, 10, 30, 10]).first(np.array([10, 30, 20, 99, 0], dtype=np.uint64))
    assert found.tolist() == [1, 2, -1, -1, -1]  # 10 is in rows 1 and 3: the first given wins


def test_every_returns_each_query_with_every_row_holding_its_key() -> None:
    query, rows = lookup([7, 3, 7, 9, 7]).every(np.array([7, 5, 9, 3, 7], dtype=np.uint64))
    pairs = sorted(zip(query.tolist(), rows.tolist(), strict=True))
    assert pairs == [(0, 0), (0, 2), (0, 4), (2, 3), (3, 1), (4, 0), (4, 2), (4, 4)]


def test_an_empty_segment_finds_nothing() -> None:
    empty = lookup([])
    assert empty.first(np.array([1, 2], dtype=np.uint64)).tolist() == [-1, -1]
    assert [part.size for part in empty.every(np.array([1], dtype=np.uint64))] == [0, 0]


def test_string_keys_are_stable_64_bit_values() -> None:
    assert key("raw/0/1") == key("raw/0/1") != key("raw/0/2")
    assert keys(["a", "b"]).tolist() == [key("a"), key("b")]


def test_merged_keys_answer_as_keys_built_from_both() -> None:
    first, second = [50, 10, 30, 10], [10, 70, 30]
    merged = lookup(first).merged(lookup(second), offset=len(first))
    whole = lookup(first + second)
    queries = np.array([10, 30, 70, 50, 99], dtype=np.uint64)
    assert merged.first(queries).tolist() == whole.first(queries).tolist() == [1, 2, 5, 0, -1]
    assert sorted(zip(*(part.tolist() for part in merged.every(queries)), strict=True)) == sorted(
        zip(*(part.tolist() for part in whole.every(queries)), strict=True)
    )
