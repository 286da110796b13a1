"""The dedup index contract: what a backend is given (``Candidate``), the rules it decides by
(``Thresholds``, ``BAND_CANDIDATES``, the LSH band keys), what it answers (``Decision``) and the protocol.

Two backends hold it: ``memory_index.InMemoryDedupIndex`` (one replica) and ``redis_index.RedisDedupIndex``
(a group of replicas); ``tests/contract`` holds them to the same assertions and the same random streams.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

from news_ingest.config import DedupSettings
from news_ingest.deduplicate.stories import StoryRules
from news_ingest.deduplicate.terms import Terms
from news_ingest.models import DedupInfo, DedupMethod, DedupStatus

Signature = npt.NDArray[np.uint32]
# Articles a band key leads to, at most: the first (the original) and the most recent others. However many
# copies of one story pile up in the window, a new copy is verified against this many per band, not all.
BAND_CANDIDATES = 16


@dataclass(frozen=True, slots=True)
class Candidate:
    """What the index needs to know about one article to decide and remember it."""

    source: str  # "topic/partition/offset" of the input: a re-consumed input gets its first decision back
    article_id: str
    canonical_url: str
    content_hash: str
    signature: Signature
    lede_signature: Signature  # of the first words only: abridged copies keep the lede, not the Jaccard
    shingle_count: int
    generation: int  # time bucket of the article (published_at, else fetched_at)
    terms: Terms  # salient terms (8-byte word id, weight), for story clustering
    timestamp: float  # the article's time (published_at, else fetched_at), epoch seconds


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Decision thresholds; part of the settings version stamped on every decision."""

    near_jaccard: float
    containment: float
    lede_jaccard: float
    lede_containment: float
    bands: int
    window_generations: int  # sketches: generations behind the watermark's
    exact_generations: int  # URL and content keys, and decisions per source offset
    generation_seconds: float
    lateness_seconds: float
    idle_seconds: float
    max_entries: int
    settings_version: str
    stories: StoryRules

    @classmethod
    def from_settings(cls, settings: DedupSettings) -> Thresholds:
        """The index's view of the dedup settings."""
        return cls(
            near_jaccard=settings.near_jaccard,
            containment=settings.containment,
            lede_jaccard=settings.lede_jaccard,
            lede_containment=settings.lede_containment,
            bands=settings.bands,
            window_generations=max(1, math.ceil(settings.window_hours / settings.generation_hours)),
            exact_generations=max(1, math.ceil(settings.exact_window_hours / settings.generation_hours)),
            generation_seconds=settings.generation_hours * 3600,
            lateness_seconds=settings.allowed_lateness_hours * 3600,
            idle_seconds=settings.idle_partition_seconds,
            max_entries=settings.max_entries,
            settings_version=settings.version(),
            stories=StoryRules(
                similarity=settings.story_similarity,
                window_seconds=settings.story_window_hours * 3600,
                members=settings.story_members,
                short_words=settings.story_short_words,
                short_similarity=settings.story_short_similarity,
                long_words=settings.story_long_words,
                long_similarity=settings.story_long_similarity,
            ),
        )


class Decision(NamedTuple):
    """One article's decision as an index remembers it (``DedupInfo`` adds the settings version)."""

    status: DedupStatus
    duplicate_of: str | None
    cluster_id: str
    similarity: float | None
    method: DedupMethod | None

    def info(self, settings_version: str) -> DedupInfo:
        """The decision as published."""
        return DedupInfo(status=self.status, duplicate_of=self.duplicate_of, cluster_id=self.cluster_id,
                         similarity=self.similarity, method=self.method, settings_version=settings_version)  # fmt: skip


class DedupIndex(Protocol):
    """Check-and-insert for a whole batch at once, in order: each article is judged against everything
    before it, earlier articles of the same batch included. Re-checking an article already in the index
    returns its first decision: the same source offset re-consumed after a crash or rebalance is never a
    duplicate of itself, while the same article arriving again as a new message is an exact duplicate."""

    async def check_and_insert(self, candidates: Sequence[Candidate]) -> list[DedupInfo]: ...

    async def track(self, partitions: Sequence[str]) -> None:
        """Partitions (``topic/partition``) this consumer was assigned: each holds the event-time watermark
        back until it delivers articles or stays silent for ``idle_partition_seconds``."""
        ...

    async def watermark(self) -> float:
        """The event time (epoch seconds) the window trails: ``-inf`` until every partition has delivered."""
        ...

    async def ping(self) -> None: ...

    async def size(self) -> int:
        """Articles indexed (the window's entries, not the decisions remembered per offset)."""
        ...

    async def memory_bytes(self) -> int:
        """Bytes the index holds (an estimate where it cannot be read off exactly)."""
        ...


# Odd 64-bit multipliers folding one band's rows into one key; the band's number is mixed in too, so the
# whole-text and lede bands share one table without meeting.
_ROW_MIX = np.array([0xA0761D6478BD642F, 0xE7037ED1A0B428DB, 0x8EBC6AF09C88C6E3, 0x589965CC75374CC3,
                     0x1D8E4E27C47D124F, 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB],
                    dtype=np.uint64)  # fmt: skip
_BAND_MIX = np.uint64(0xD6E8FEB86659FD93)
_KEY_BITS = np.uint64((1 << 62) - 1)  # small enough for CPython's compact int representation


def band_key_rows(signatures: Signature, ledes: Signature, bands: int) -> npt.NDArray[np.uint64]:
    """One integer key per LSH band of each row's whole-text signature, then per band of its lede signature."""
    rows = signatures.shape[1] // bands
    stacked = np.concatenate((signatures, ledes), axis=1).astype(np.uint64).reshape(len(signatures), 2 * bands, rows)
    mix = np.resize(_ROW_MIX, rows)
    with np.errstate(over="ignore"):
        folded = (stacked * mix).sum(axis=2, dtype=np.uint64)
        folded += np.arange(1, 2 * bands + 1, dtype=np.uint64) * _BAND_MIX
        folded ^= folded >> np.uint64(29)
    keys: npt.NDArray[np.uint64] = folded & _KEY_BITS
    return keys


def band_keys(signature: Signature, lede_signature: Signature, bands: int) -> list[int]:
    """``band_key_rows`` of one article, as Python integers (dictionary keys)."""
    keys: list[int] = band_key_rows(signature[None, :], lede_signature[None, :], bands)[0].tolist()
    return keys
