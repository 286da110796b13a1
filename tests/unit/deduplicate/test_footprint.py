"""A batch decided ahead of its turn stands only if nothing that landed before it wrote what it read."""

from __future__ import annotations

from news_ingest.deduplicate.footprint import Reads, Writes, conflict

HOUR = 3600.0
WINDOW = 48 * HOUR


def reads(**fields: object) -> Reads:
    read = Reads(keys={"raw/0/1", 123})
    read.matched(((b"harbour!", 0.5), (b"storms!!", 0.4)), 100 * HOUR)
    for name, value in fields.items():
        setattr(read, name, value)
    return read


def test_writes_elsewhere_leave_the_decisions_standing() -> None:
    writes = Writes(keys={"raw/1/1", 456}, grown_terms={b"election"})
    writes.story("old-story", before=90 * HOUR, after=95 * HOUR, centroid=None)
    assert conflict(reads(), writes, window_seconds=WINDOW) is None


def test_a_key_read_and_written_is_a_conflict() -> None:
    assert conflict(reads(), Writes(keys={123}), window_seconds=WINDOW) == "keys"


def test_a_centroid_moved_on_a_seed_term_is_a_conflict() -> None:
    writes = Writes()
    writes.story("new-story", before=None, after=99 * HOUR, centroid=[b"harbour!", b"ferries!"])
    assert conflict(reads(), writes, window_seconds=WINDOW) == "terms"


def test_a_story_both_batches_moved_is_a_conflict() -> None:
    writes = Writes()
    writes.story("story", before=99 * HOUR, after=99 * HOUR, centroid=None)
    assert conflict(reads(grown={"story"}), writes, window_seconds=WINDOW) == "story"


def test_a_story_brought_back_into_the_window_for_an_article_read_is_a_conflict() -> None:
    writes = Writes()
    writes.story("story", before=40 * HOUR, after=60 * HOUR, centroid=None)  # dead for t = 100 h, then live
    assert conflict(reads(), writes, window_seconds=WINDOW) == "liveness"


def test_an_index_reshaped_meanwhile_is_a_conflict_with_anything() -> None:
    assert conflict(Reads(), Writes(reshaped=True), window_seconds=WINDOW) == "reshaped"
