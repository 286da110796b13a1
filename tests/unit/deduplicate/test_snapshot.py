"""Snapshots of a replica's copy of the shared index: read back whole, and never as anything but index state."""

from __future__ import annotations

import os
import pickle

import pytest

from news_ingest.config import DedupSettings
from news_ingest.deduplicate import ledger, snapshot
from news_ingest.deduplicate.index import Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from tests.dedup_cases import FIRE, FIRE_RETOLD, OTHER, STORY, candidate


def test_a_snapshot_read_back_decides_as_the_copy_it_was_taken_from() -> None:
    limits = Thresholds.from_settings(DedupSettings())
    original = InMemoryDedupIndex(limits)
    original.track_at(["raw/0", "raw/1"], now=5.0)
    for generation in (10, 11, 12):  # older generations sealed into segments, the newest open
        original.decide([ledger.compact(candidate(f"{OTHER} Part {generation}.", source=f"raw/0/{generation}",
                                                  generation=generation)),
                         ledger.compact(candidate(FIRE, source=f"raw/1/{generation}", generation=generation))],
                        now=6.0)  # fmt: skip
    copy = snapshot.load(snapshot.dump(original), limits)
    after = [ledger.compact(candidate(c, source=f"raw/1/{n + 20}", generation=12)) for n, c in
             enumerate((STORY, FIRE_RETOLD, f"{OTHER} Part 10.", FIRE))]  # fmt: skip
    assert copy.decide(after, now=7.0) == original.decide(after, now=7.0)


class _Payload:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("true",))


def test_a_snapshot_naming_anything_but_index_state_is_refused() -> None:
    hostile = pickle.dumps({"_entries": _Payload()})
    with pytest.raises(pickle.UnpicklingError, match=r"no posix\.system"):
        snapshot.load(hostile, Thresholds.from_settings(DedupSettings()))


def test_band_lookups_are_sorted_again_from_the_sketches_into_the_same_arrays() -> None:
    """Sealed segments drop their band lookup in a snapshot; merged ones (late articles) rebuild alike too."""
    limits = Thresholds.from_settings(DedupSettings())
    original = InMemoryDedupIndex(limits)
    for n in range(12):  # generations 10..13, and articles late for generation 10 after each newer one
        generation = 10 + n // 3 if n % 3 else 10
        original.decide([ledger.compact(candidate(f"{OTHER} Item {n} {k}.", source=f"raw/0/{n}-{k}",
                                                  generation=generation)) for k in range(3)], now=1.0)  # fmt: skip
    segments = original.sealed_segments()
    assert max(segment.size for segment in segments) > 3, "generation 10's late articles merged in"
    copy = snapshot.load(snapshot.dump(original), limits)
    for before, after in zip(segments, copy.sealed_segments(), strict=True):
        assert before.bands.keys.size > 0
        assert (before.bands.keys == after.bands.keys).all()
        assert (before.bands.rows == after.bands.rows).all()
