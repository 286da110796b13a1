"""The dedup index: what has been seen in the window, behind one async, batch-shaped protocol."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from news_ingest.models import DedupInfo, DedupStatus
from news_ingest.sketch import containment, jaccard

Signature = npt.NDArray[np.uint32]


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


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Decision thresholds; part of the settings version stamped on every decision."""

    near_jaccard: float
    containment: float
    lede_jaccard: float
    lede_containment: float
    bands: int
    window_generations: int
    max_entries: int
    settings_version: str


class DedupIndex(Protocol):
    """Check-and-insert for a whole batch at once, in order: each article is judged against everything
    before it, earlier articles of the same batch included. Re-checking an article already in the index
    returns its first decision: the same source offset re-consumed after a crash or rebalance is never a
    duplicate of itself, while the same article arriving again as a new message is an exact duplicate."""

    async def check_and_insert(self, candidates: Sequence[Candidate]) -> list[DedupInfo]: ...

    async def ping(self) -> None: ...

    async def size(self) -> int:
        """Articles indexed (the window's entries, not the decisions remembered per offset)."""
        ...


@dataclass
class _Entry:
    candidate: Candidate
    decision: DedupInfo


@dataclass
class _Generation:
    article_ids: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


class InMemoryDedupIndex:
    """The single-replica index: dictionaries keyed by URL, content hash and LSH band, in time generations
    that expire whole (O(1) per entry, never half-deleted). Lost on restart: use Redis for many replicas."""

    def __init__(self, thresholds: Thresholds) -> None:
        self._thresholds = thresholds
        self._entries: dict[str, _Entry] = {}  # first article per id
        self._decisions: dict[str, DedupInfo] = {}  # per source offset
        self._by_url: dict[str, str] = {}
        self._by_content: dict[str, str] = {}
        # Band tables for the whole-text signature, then for the lede signature.
        self._bands: list[dict[bytes, list[str]]] = [defaultdict(list) for _ in range(2 * thresholds.bands)]
        self._generations: dict[int, _Generation] = {}
        self._order: list[int] = []  # live generations, oldest first
        self._newest = -(2**62)

    async def check_and_insert(self, candidates: Sequence[Candidate]) -> list[DedupInfo]:
        return [self._decide(candidate) for candidate in candidates]

    async def ping(self) -> None:
        return None

    async def size(self) -> int:
        return len(self._entries)

    def _decide(self, candidate: Candidate) -> DedupInfo:
        replayed = self._decisions.get(candidate.source)
        if replayed is not None:
            return replayed
        decision = (
            self._exact(candidate)
            or self._near(candidate)
            or DedupInfo(
                status=DedupStatus.UNIQUE,
                cluster_id=candidate.article_id,
                settings_version=self._thresholds.settings_version,
            )
        )
        self._insert(candidate, decision)
        return decision

    def _exact(self, candidate: Candidate) -> DedupInfo | None:
        for method, table, key in (
            ("url", self._by_url, candidate.canonical_url),
            ("content", self._by_content, candidate.content_hash),
        ):
            first = table.get(key)
            if first is not None and first in self._entries:
                original = self._entries[first].decision
                return DedupInfo(
                    status=DedupStatus.EXACT_DUPLICATE,
                    duplicate_of=first,
                    cluster_id=original.cluster_id or first,
                    similarity=1.0,
                    method=method,
                    settings_version=self._thresholds.settings_version,
                )
        return None

    def _near(self, candidate: Candidate) -> DedupInfo | None:
        best: tuple[float, str, str] | None = None
        for other_id in self._band_matches(candidate):
            other = self._entries[other_id].candidate
            similarity = jaccard(candidate.signature, other.signature)
            contained = containment(similarity, candidate.shingle_count, other.shingle_count)
            if similarity >= self._thresholds.near_jaccard:
                scored = (similarity, "minhash", other_id)
            elif contained >= self._thresholds.containment or (
                contained >= self._thresholds.lede_containment
                and jaccard(candidate.lede_signature, other.lede_signature) >= self._thresholds.lede_jaccard
            ):
                scored = (contained, "containment", other_id)  # abridged copy: same lede, a part of the text
            else:
                continue
            if best is None or scored[0] > best[0] or (scored[0] == best[0] and scored[2] < best[2]):
                best = scored  # ties go to the smaller article id: a stated, deterministic rule
        if best is None:
            return None
        score, method, original_id = best
        return DedupInfo(
            status=DedupStatus.NEAR_DUPLICATE,
            duplicate_of=original_id,
            cluster_id=self._entries[original_id].decision.cluster_id or original_id,
            similarity=round(score, 4),
            method=method,
            settings_version=self._thresholds.settings_version,
        )

    def _band_matches(self, candidate: Candidate) -> set[str]:
        matches: set[str] = set()
        for band, table in zip(_band_keys(candidate, self._thresholds.bands), self._bands, strict=True):
            matches.update(other for other in table.get(band, ()) if other in self._entries)
        return matches

    def _insert(self, candidate: Candidate, decision: DedupInfo) -> None:
        self._advance(candidate.generation)
        generation = max(candidate.generation, self._newest - self._thresholds.window_generations + 1)
        if generation not in self._generations:
            self._generations[generation] = _Generation()
            bisect.insort(self._order, generation)
        self._decisions[candidate.source] = decision
        self._generations[generation].sources.append(candidate.source)
        if candidate.article_id in self._entries:
            return  # a later copy of an article already indexed: its decision is remembered, nothing more
        self._entries[candidate.article_id] = _Entry(candidate, decision)
        self._by_url.setdefault(candidate.canonical_url, candidate.article_id)
        self._by_content.setdefault(candidate.content_hash, candidate.article_id)
        for band, table in zip(_band_keys(candidate, self._thresholds.bands), self._bands, strict=True):
            table[band].append(candidate.article_id)
        self._generations[generation].article_ids.append(candidate.article_id)
        while len(self._entries) > self._thresholds.max_entries and self._order:
            self._expire(self._order.pop(0))

    def _advance(self, generation: int) -> None:
        """Move the window forward to ``generation`` and drop generations that fell out of it, whole."""
        if generation <= self._newest:
            return
        self._newest = generation
        oldest_kept = generation - self._thresholds.window_generations + 1
        while self._order and self._order[0] < oldest_kept:
            self._expire(self._order.pop(0))

    def _expire(self, generation: int) -> None:
        expired = self._generations.pop(generation, None)
        if expired is None:
            return
        for source in expired.sources:
            self._decisions.pop(source, None)
        for article_id in expired.article_ids:
            entry = self._entries.pop(article_id, None)
            if entry is None:
                continue
            if self._by_url.get(entry.candidate.canonical_url) == article_id:
                del self._by_url[entry.candidate.canonical_url]
            if self._by_content.get(entry.candidate.content_hash) == article_id:
                del self._by_content[entry.candidate.content_hash]
            for band, table in zip(_band_keys(entry.candidate, self._thresholds.bands), self._bands, strict=True):
                members = table.get(band)
                if members is not None:
                    members[:] = [member for member in members if member != article_id]
                    if not members:
                        del table[band]


def _band_keys(candidate: Candidate, bands: int) -> list[bytes]:
    return _bands(candidate.signature, bands) + _bands(candidate.lede_signature, bands)


def _bands(signature: Signature, bands: int) -> list[bytes]:
    rows = len(signature) // bands
    return [signature[band * rows : (band + 1) * rows].tobytes() for band in range(bands)]
