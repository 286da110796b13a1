"""The dedup index: what has been seen in the window, behind one async, batch-shaped protocol."""

from __future__ import annotations

import bisect
import itertools
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt

from news_ingest.models import DedupInfo, DedupStatus
from news_ingest.sketch import containment, jaccard
from news_ingest.stories import StoryClusters, StoryRules
from news_ingest.terms import Terms

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
    window_generations: int
    max_entries: int
    settings_version: str
    stories: StoryRules


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

    async def memory_bytes(self) -> int:
        """Bytes the index holds (an estimate where it cannot be read off exactly)."""
        ...


@dataclass(slots=True)
class _Entry:
    """What later articles are compared with: the sketches as bytes, and how to find and forget it."""

    signature: bytes
    lede_signature: bytes
    shingle_count: int
    canonical_url: str
    content_hash: str
    cluster_id: str


_SAMPLE = 256  # entries measured per memory estimate


def _entry_bytes(article_id: str, entry: _Entry) -> int:
    parts = (article_id, entry, entry.signature, entry.lede_signature, entry.canonical_url, entry.content_hash)
    return sum(sys.getsizeof(part) for part in parts)


# A remembered decision, compact: (status, duplicate_of, cluster_id, similarity, method).
_Decision = tuple[DedupStatus, str | None, str, float | None, str | None]


@dataclass(slots=True)
class _Generation:
    article_ids: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


class InMemoryDedupIndex:
    """The single-replica index: dictionaries keyed by URL, content hash and LSH band, in time generations
    that expire whole (O(1) per entry, never half-deleted). Lost on restart: use Redis for many replicas.

    Memory: one 62-bit integer key per band in one table, holding the article id itself (a list only when
    bands collide), sketches kept as bytes and decisions as tuples (``make bench`` prints bytes per article).
    """

    def __init__(self, thresholds: Thresholds) -> None:
        self._thresholds = thresholds
        self._entries: dict[str, _Entry] = {}  # first article per id
        self._decisions: dict[str, _Decision] = {}  # per source offset
        self._by_url: dict[str, str] = {}
        self._by_content: dict[str, str] = {}
        self._bands: dict[int, str | list[str]] = {}  # band key (whole text, then lede) -> article id(s)
        self._generations: dict[int, _Generation] = {}
        self._order: list[int] = []  # live generations, oldest first
        self._newest = -(2**62)
        self._stories = StoryClusters(thresholds.stories)
        self._newest_timestamp = 0.0

    async def check_and_insert(self, candidates: Sequence[Candidate]) -> list[DedupInfo]:
        return [self._info(self._decide(candidate)) for candidate in candidates]

    async def ping(self) -> None:
        return None

    async def size(self) -> int:
        return len(self._entries)

    async def memory_bytes(self) -> int:
        """Hash tables measured whole, plus entries, decisions and band keys at the mean size of a sample."""
        tables = (self._entries, self._decisions, self._by_url, self._by_content, self._bands)
        total = sum(sys.getsizeof(table) for table in tables)
        entries = list(itertools.islice(self._entries.items(), _SAMPLE))
        if entries:
            per_entry = sum(_entry_bytes(article_id, entry) for article_id, entry in entries) / len(entries)
            total += round(per_entry * len(self._entries))
        decisions = list(itertools.islice(self._decisions.items(), _SAMPLE))
        if decisions:
            per_decision = sum(sys.getsizeof(source) + sys.getsizeof(decision) for source, decision in decisions)
            total += round(per_decision / len(decisions) * len(self._decisions))
        bands = list(itertools.islice(self._bands.items(), _SAMPLE))
        if bands:
            per_band = sum(sys.getsizeof(key) + (sys.getsizeof(ids) if isinstance(ids, list) else 0)
                           for key, ids in bands) / len(bands)  # fmt: skip
            total += round(per_band * len(self._bands))
        return total + self._stories.memory_bytes()

    def _info(self, decision: _Decision) -> DedupInfo:
        status, duplicate_of, cluster_id, similarity, method = decision
        return DedupInfo(status=status, duplicate_of=duplicate_of, cluster_id=cluster_id, similarity=similarity,
                         method=method, settings_version=self._thresholds.settings_version)  # fmt: skip

    def _decide(self, candidate: Candidate) -> _Decision:
        replayed = self._decisions.get(candidate.source)
        if replayed is not None:
            return replayed
        keys = band_keys(candidate.signature, candidate.lede_signature, self._thresholds.bands)
        decision = self._exact(candidate) or self._near(candidate, keys) or self._story(candidate)
        self._insert(candidate, decision, keys)
        return decision

    def _story(self, candidate: Candidate) -> _Decision:
        """Not a copy: the first article of a story, or another write-up of a live one."""
        self._newest_timestamp = max(self._newest_timestamp, candidate.timestamp)
        found = self._stories.match(candidate.terms, candidate.timestamp)
        if found is None:
            self._stories.add(candidate.article_id, candidate.terms, candidate.timestamp)
            return (DedupStatus.UNIQUE, None, candidate.article_id, None, None)
        story_id, similarity = found
        self._stories.add(story_id, candidate.terms, candidate.timestamp)
        return (DedupStatus.UNIQUE, None, story_id, round(similarity, 4), "story")

    def _exact(self, candidate: Candidate) -> _Decision | None:
        for method, table, key in (
            ("url", self._by_url, candidate.canonical_url),
            ("content", self._by_content, candidate.content_hash),
        ):
            first = table.get(key)
            if first is not None and first in self._entries:
                return (DedupStatus.EXACT_DUPLICATE, first, self._entries[first].cluster_id, 1.0, method)
        return None

    def _near(self, candidate: Candidate, keys: list[int]) -> _Decision | None:
        best: tuple[float, str, str] | None = None
        for other_id in self._band_matches(keys):
            other = self._entries[other_id]
            similarity = jaccard(candidate.signature, np.frombuffer(other.signature, dtype=np.uint32))
            contained = containment(similarity, candidate.shingle_count, other.shingle_count)
            if similarity >= self._thresholds.near_jaccard:
                scored = (similarity, "minhash", other_id)
            elif contained >= self._thresholds.containment or (
                contained >= self._thresholds.lede_containment
                and jaccard(candidate.lede_signature, np.frombuffer(other.lede_signature, dtype=np.uint32))
                >= self._thresholds.lede_jaccard
            ):
                scored = (contained, "containment", other_id)  # abridged copy: same lede, a part of the text
            else:
                continue
            if best is None or scored[0] > best[0] or (scored[0] == best[0] and scored[2] < best[2]):
                best = scored  # ties go to the smaller article id: a stated, deterministic rule
        if best is None:
            return None
        score, method, original_id = best
        cluster_id = self._entries[original_id].cluster_id
        return (DedupStatus.NEAR_DUPLICATE, original_id, cluster_id, round(score, 4), method)

    def _band_matches(self, keys: list[int]) -> set[str]:
        matches: set[str] = set()
        for key in keys:
            members = self._bands.get(key)
            if isinstance(members, str):
                matches.add(members)
            elif members is not None:
                matches.update(members)
        return matches

    def _insert(self, candidate: Candidate, decision: _Decision, keys: list[int]) -> None:
        self._advance(candidate.generation)
        generation = max(candidate.generation, self._newest - self._thresholds.window_generations + 1)
        if generation not in self._generations:
            self._generations[generation] = _Generation()
            bisect.insort(self._order, generation)
        self._decisions[candidate.source] = decision
        self._generations[generation].sources.append(candidate.source)
        article_id = candidate.article_id
        if article_id in self._entries:
            return  # a later copy of an article already indexed: its decision is remembered, nothing more
        self._entries[article_id] = _Entry(
            signature=candidate.signature.tobytes(),
            lede_signature=candidate.lede_signature.tobytes(),
            shingle_count=candidate.shingle_count,
            canonical_url=candidate.canonical_url,
            content_hash=candidate.content_hash,
            cluster_id=decision[2],
        )
        self._by_url.setdefault(candidate.canonical_url, article_id)
        self._by_content.setdefault(candidate.content_hash, article_id)
        for key in keys:
            members = self._bands.get(key)
            if members is None:
                self._bands[key] = article_id
            elif isinstance(members, str):
                self._bands[key] = [members, article_id]
            else:
                members.append(article_id)
        self._generations[generation].article_ids.append(article_id)
        while len(self._entries) > self._thresholds.max_entries and self._order:
            self._expire(self._order.pop(0))

    def _advance(self, generation: int) -> None:
        """Move the window forward to ``generation`` and drop generations that fell out of it, whole."""
        if generation <= self._newest:
            return
        self._newest = generation
        self._stories.expire(before=self._newest_timestamp - self._thresholds.stories.window_seconds)
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
            if self._by_url.get(entry.canonical_url) == article_id:
                del self._by_url[entry.canonical_url]
            if self._by_content.get(entry.content_hash) == article_id:
                del self._by_content[entry.content_hash]
            signature = np.frombuffer(entry.signature, dtype=np.uint32)
            lede = np.frombuffer(entry.lede_signature, dtype=np.uint32)
            for key in band_keys(signature, lede, self._thresholds.bands):
                self._forget_band(key, article_id)

    def _forget_band(self, key: int, article_id: str) -> None:
        members = self._bands.get(key)
        if members == article_id:
            del self._bands[key]
        elif isinstance(members, list):
            members[:] = [member for member in members if member != article_id]
            if len(members) == 1:
                self._bands[key] = members[0]
            elif not members:
                del self._bands[key]


# Odd 64-bit multipliers folding one band's rows into one key; the band's number is mixed in too, so the
# whole-text and lede bands share one table without meeting.
_ROW_MIX = np.array([0xA0761D6478BD642F, 0xE7037ED1A0B428DB, 0x8EBC6AF09C88C6E3, 0x589965CC75374CC3,
                     0x1D8E4E27C47D124F, 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB],
                    dtype=np.uint64)  # fmt: skip
_BAND_MIX = np.uint64(0xD6E8FEB86659FD93)
_KEY_BITS = np.uint64((1 << 62) - 1)  # small enough for CPython's compact int representation


def band_keys(signature: Signature, lede_signature: Signature, bands: int) -> list[int]:
    """One integer key per LSH band of the whole-text signature, then per band of the lede signature."""
    rows = len(signature) // bands
    stacked = np.concatenate((signature, lede_signature)).astype(np.uint64).reshape(2 * bands, rows)
    mix = np.resize(_ROW_MIX, rows)
    with np.errstate(over="ignore"):
        folded = (stacked * mix).sum(axis=1, dtype=np.uint64)
        folded += np.arange(1, 2 * bands + 1, dtype=np.uint64) * _BAND_MIX
        folded ^= folded >> np.uint64(29)
    keys: list[int] = (folded & _KEY_BITS).tolist()
    return keys
