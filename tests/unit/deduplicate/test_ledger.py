"""Log entries of the shared index: a decided batch travels as bytes, and a copy that applies it decides alike."""

from __future__ import annotations

import dataclasses
import struct

import pytest

from news_ingest.config import DedupSettings
from news_ingest.deduplicate import ledger
from news_ingest.deduplicate.index import Candidate, Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex, Step
from news_ingest.models import DedupStatus
from tests.dedup_cases import FIRE, FIRE_RETOLD, OTHER, STORY, candidate

THIRD_TELLING = (
    "Soldiers and firefighters fought overnight to contain a wildfire in Valparaiso, Chile, where President "
    "Gabriel Boric declared emergency measures after some 120 hillside houses burned near the port city."
)


def batch(*candidates: Candidate) -> list[Candidate]:
    return [ledger.compact(c) for c in candidates]


def index() -> InMemoryDedupIndex:
    return InMemoryDedupIndex(Thresholds.from_settings(DedupSettings()))


def test_a_decided_batch_comes_back_from_its_bytes() -> None:
    first = candidate(STORY, source="raw/0/1", url="https://a.example/x")
    copy = candidate(STORY + " Updated.", source="raw/1/4", url="https://b.example/y")
    retold = candidate(FIRE_RETOLD, source="raw/2/9")
    candidates = batch(first, copy, candidate(FIRE, source="raw/0/2"), retold, first)  # the last: re-consumed
    decided = index().decide(candidates, now=1_000.5)
    entry = ledger.decode(ledger.encode_batch(ledger.Batch(now=1_000.5, candidates=candidates, decided=decided)))
    assert isinstance(entry, ledger.Batch)
    assert entry.now == 1_000.5
    assert entry.decided == decided
    assert [step for _, step in decided] == [Step.INDEXED] * 4 + [Step.REPLAYED]
    for sent, got in zip(candidates, entry.candidates, strict=True):
        assert (got.source, got.article_id, got.canonical_url, got.content_hash, got.timestamp, got.generation,
                got.shingle_count) == (sent.source, sent.article_id, sent.canonical_url, sent.content_hash,
                                       sent.timestamp, sent.generation, sent.shingle_count)  # fmt: skip
    for n in range(4):  # indexed: sketches travel; unique ones (not the copy) carry their terms
        assert (entry.candidates[n].signature == candidates[n].signature).all()
        assert (entry.candidates[n].lede_signature == candidates[n].lede_signature).all()
    assert [bool(c.terms) for c in entry.candidates] == [True, False, True, True, False]
    assert entry.candidates[3].terms == candidates[3].terms


def test_an_assignment_comes_back_from_its_bytes() -> None:
    sent = ledger.Assignment(now=7.25, partitions=["raw/0", "raw/3"])
    assert ledger.decode(ledger.encode_assignment(sent)) == sent


def test_urls_and_content_hashes_travel_as_digests() -> None:
    compacted = ledger.compact(candidate(STORY, source="raw/0/1", url="https://a.example/a-long-address"))
    assert compacted.canonical_url == ledger.digest("https://a.example/a-long-address")
    assert len(compacted.canonical_url) == len(compacted.content_hash) == 24


def test_a_copy_applying_the_decided_batches_decides_the_next_batch_alike() -> None:
    """Apply repeats a batch without scoring it: the copy reaches the state of the index that decided it."""
    deciding, applying = index(), index()
    more = candidate(STORY + " More.", source="raw/1/2", url="https://b.example/z")
    batches = [
        batch(candidate(STORY, source="raw/0/1"), candidate(FIRE, source="raw/0/2"), candidate(OTHER, source="r/0/3")),
        batch(candidate(FIRE_RETOLD, source="raw/1/1"), more),
    ]
    for n, candidates in enumerate(batches):
        decided = deciding.decide(candidates, now=float(n))
        entry = ledger.decode(ledger.encode_batch(ledger.Batch(now=float(n), candidates=candidates, decided=decided)))
        assert isinstance(entry, ledger.Batch)
        applying.apply(entry.candidates, entry.decided, now=entry.now)
    after = batch(candidate(FIRE + " Updated.", source="raw/2/1", url="https://c.example/f"),
                  candidate(STORY, source="raw/2/2", url="https://a.example/raw/0/1"),
                  candidate(THIRD_TELLING, source="raw/2/3"))  # fmt: skip
    decided = applying.decide(after, now=9.0)
    assert decided == deciding.decide(after, now=9.0)
    assert [(d.status, d.method) for d, _ in decided] == [
        (DedupStatus.NEAR_DUPLICATE, "minhash"),
        (DedupStatus.EXACT_DUPLICATE, "url"),
        (DedupStatus.UNIQUE, "story"),
    ]


def test_weights_that_are_not_float32_are_rounded_before_deciding_so_the_log_carries_them_exactly() -> None:
    made = candidate(STORY, source="raw/0/1")
    widened = dataclasses.replace(made, terms=tuple((term, weight + 1e-12) for term, weight in made.terms))
    compacted = ledger.compact(widened)
    assert compacted.terms == ledger.compact(made).terms  # float32 rounding absorbs the difference
    decided = index().decide([compacted], now=1.0)
    entry = ledger.decode(ledger.encode_batch(ledger.Batch(now=1.0, candidates=[compacted], decided=decided)))
    assert isinstance(entry, ledger.Batch)
    assert entry.candidates[0].terms == compacted.terms


def test_an_entry_written_by_the_earlier_format_is_refused_by_name() -> None:
    header = b'{"kind":"assign","now":1.0,"partitions":[]}'
    with pytest.raises(ValueError, match="fresh NEWS_INGEST_REDIS__KEY_PREFIX"):
        ledger.decode(struct.pack(">I", len(header)) + header)
