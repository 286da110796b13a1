"""The in-memory dedup index: the single-replica default, and the offline commands' index."""

from __future__ import annotations

import bisect
import enum
import itertools
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from news_ingest.deduplicate import multimap
from news_ingest.deduplicate.copies import CopyRules, Matches, best_copy
from news_ingest.deduplicate.footprint import Key, Reads, Writes, conflict
from news_ingest.deduplicate.index import BAND_CANDIDATES, Candidate, Decision, Thresholds, band_key_rows, band_keys
from news_ingest.deduplicate.segment import Packed, Segment
from news_ingest.deduplicate.segment import keys as segment_keys
from news_ingest.deduplicate.stories import StoryClusters, StoryUndo
from news_ingest.deduplicate.terms import Terms
from news_ingest.deduplicate.watermark import Watermarks
from news_ingest.models import DedupInfo, DedupMethod, DedupStatus


class Step(enum.Enum):
    """What deciding one candidate did to the index."""

    REPLAYED = "replayed"  # its source offset was decided before: that decision, nothing changed
    REMEMBERED = "remembered"  # its article was indexed already: only the decision for its offset kept
    INDEXED = "indexed"  # decision kept, article indexed (and counted into its story when unique)


@dataclass(slots=True)
class _Entry:
    """An article not sealed yet: its sketches as bytes, and how to find and forget it."""

    signature: bytes
    lede_signature: bytes
    shingle_count: int
    canonical_url: str
    content_hash: str
    cluster_id: str
    sequence: int


_SAMPLE = 256  # entries measured per memory estimate
_ROW_BITS = 32  # a sealed row packed below its candidate's position in the batch
_ROW_MASK = (1 << _ROW_BITS) - 1


def _entry_bytes(article_id: str, entry: _Entry) -> int:
    parts = (article_id, entry, entry.signature, entry.lede_signature, entry.canonical_url, entry.content_hash)
    return sum(sys.getsizeof(part) for part in parts)


@dataclass(slots=True)
class _Generation:
    article_ids: list[str] = field(default_factory=list)  # not sealed yet
    sources: list[str] = field(default_factory=list)  # not sealed yet
    sealed: list[Segment] = field(default_factory=list)
    thinned: bool = False  # behind the sketch window: only exact keys and decisions left


@dataclass(slots=True)
class _Sealed:
    """What the sealed segments know about one candidate, looked up for the whole batch at once."""

    replay: tuple[Segment, int] | None = None
    url: tuple[int, Segment, int] | None = None  # (sequence, segment, row): the earliest wins
    content: tuple[int, Segment, int] | None = None
    indexed: Segment | None = None
    bands: list[tuple[Segment, npt.NDArray[np.int64]]] = field(default_factory=list)  # distinct rows sharing a band


@dataclass(slots=True)
class Tentative:
    """A batch decided but not closed: what its decisions read, and the index as it was before, to take the
    batch back out (the keys it added, the band and story-table values it changed)."""

    reads: Reads
    newest: int
    sequence: int
    order: list[int]
    lengths: dict[int, tuple[int, int]]  # generation -> (open articles, open decisions) before the batch
    added: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    bands: dict[int, multimap.Held | None] = field(default_factory=dict)
    stories: StoryUndo = field(default_factory=StoryUndo)


class InMemoryDedupIndex:
    """The single-replica index, in event-time generations that expire whole (never half-deleted) as the
    watermark (``watermark.py``: the slowest partition's front, less the allowed lateness) moves past them:
    their sketches ``window_hours`` behind it, their URL and content keys ``exact_window_hours`` behind it.
    Lost on restart: use Redis for many replicas.

    The newest generation (and articles arriving late for older ones) lives in dictionaries keyed by URL,
    content hash and LSH band; once the window moves past a generation it is sealed into numpy arrays
    (``segment.py``), searched once per batch. ``make bench`` prints bytes per article.
    """

    def __init__(self, thresholds: Thresholds, *, clock: Callable[[], float] = time.time) -> None:
        self._thresholds = thresholds
        self._clock = clock  # wall time: only for partitions gone silent
        self._watermarks = Watermarks(lateness_seconds=thresholds.lateness_seconds,
                                      idle_seconds=thresholds.idle_seconds)  # fmt: skip
        self._copy_rules = CopyRules(
            near_jaccard=thresholds.near_jaccard,
            containment=thresholds.containment,
            lede_jaccard=thresholds.lede_jaccard,
            lede_containment=thresholds.lede_containment,
        )
        self._entries: dict[str, _Entry] = {}  # first article per id, not sealed yet
        self._decisions: dict[str, Decision] = {}  # per source offset, not sealed yet
        self._by_url: dict[str, str] = {}
        self._by_content: dict[str, str] = {}
        self._bands: dict[int, str | list[str]] = {}  # band key (whole text, then lede) -> article id(s)
        self._generations: dict[int, _Generation] = {}
        self._order: list[int] = []  # live generations, oldest first
        self._newest = -(2**62)  # the newest generation holding articles: older ones are sealed
        self._sequence = 0
        self._sealed_size = 0
        self._stories = StoryClusters(thresholds.stories)
        self._sketch_cutoff = -(2**62)  # generations below it: sketches forgotten
        self._watermark_generation = -(2**62)
        self.reshapes = 0  # generations sealed, thinned or expired, story expiry passes: what moves lookups' rows
        self._tentative: Tentative | None = None
        self._writes: Writes | None = None

    async def check_and_insert(self, candidates: Sequence[Candidate]) -> list[DedupInfo]:
        return [self._info(decision) for decision, _ in self.decide(candidates, now=self._clock())]

    def decide(self, candidates: Sequence[Candidate], *, now: float) -> list[tuple[Decision, Step]]:
        """``check_and_insert`` at wall time ``now``, answering each decision with what it did to the index
        (``apply`` repeats exactly that on another copy of the index, without deciding again)."""
        if not candidates:
            return []
        signatures = np.array([c.signature for c in candidates])
        ledes = np.array([c.lede_signature for c in candidates])
        keys: list[list[int]] = band_key_rows(signatures, ledes, self._thresholds.bands).tolist()
        sealed = self._look_up_sealed(candidates, keys)
        decided = [self._decide(*found) for found in zip(candidates, keys, sealed, strict=True)]
        self._close_batch(candidates, now)
        return decided

    def can_decide_tentatively(self, count: int) -> bool:
        """Whether ``count`` more articles fit under ``max_entries`` (an expiry cannot be taken back)."""
        return len(self._entries) + self._sealed_size + count <= self._thresholds.max_entries

    def decide_tentatively(self, candidates: Sequence[Candidate]) -> tuple[list[tuple[Decision, Step]], Tentative]:
        """``decide`` without closing the batch: what it read, and how to take it back (``undo``); once it
        stands, ``close_batch`` finishes it as ``decide`` would have."""
        tentative, keys = self._begin(candidates)
        sealed = self._look_up_sealed(candidates, keys)
        self._tentative = tentative
        try:
            decided = [self._decide(*found) for found in zip(candidates, keys, sealed, strict=True)]
        finally:
            self._tentative = None
        return decided, tentative

    def decide_again(self, candidates: Sequence[Candidate], earlier: Sequence[tuple[Decision, Step]], reads: Reads,
                     landed: Writes, *, window_seconds: float) -> tuple[list[tuple[Decision, Step]], Tentative,
                                                                         int]:  # fmt: skip
        """``decide_tentatively`` after batches ``landed`` before this one, where its ``earlier`` decisions
        were made: each article whose reads nothing that landed (or no decision changed here) touched keeps its
        decision, the others are decided again; and how many were."""
        tentative, keys = self._begin(candidates)
        decided, again = [], 0
        self._tentative = tentative
        try:
            for candidate, keys_of, before in zip(candidates, keys, earlier, strict=True):
                if conflict(_reads_of(candidate, keys_of, before, reads.grown), landed, window_seconds=window_seconds):
                    sealed = self._look_up_sealed([candidate], [keys_of])[0]
                    decided.append(self._decide(candidate, keys_of, sealed))
                    again += 1
                    if decided[-1] != before or before[0].status is DedupStatus.UNIQUE:  # a story counted anew
                        self._note_changed(candidate, keys_of, (before[0], decided[-1][0]), landed)
                else:
                    decided.append(before)
                    self._redo(candidate, keys_of, before)
        finally:
            self._tentative = None
        return decided, tentative, again

    def _begin(self, candidates: Sequence[Candidate]) -> tuple[Tentative, list[list[int]]]:
        """A tentative batch's undo state, every key its articles read, and their band keys."""
        if not self.can_decide_tentatively(len(candidates)):
            raise ValueError("a tentative batch must fit under max_entries")
        lengths = {g: (len(held.article_ids), len(held.sources)) for g, held in self._generations.items()}
        tentative = Tentative(Reads(), self._newest, self._sequence, list(self._order), lengths)
        if not candidates:
            return tentative, []
        signatures = np.array([c.signature for c in candidates])
        ledes = np.array([c.lede_signature for c in candidates])
        keys: list[list[int]] = band_key_rows(signatures, ledes, self._thresholds.bands).tolist()
        for candidate, keys_of in zip(candidates, keys, strict=True):
            tentative.reads.keys.update(_keys_of(candidate, keys_of))
        return tentative, keys

    def _redo(self, candidate: Candidate, keys: list[int], decided: tuple[Decision, Step]) -> None:
        """What deciding ``candidate`` did before, done again (as ``apply`` does), its story read noted."""
        decision, step = decided
        if step is Step.REPLAYED:
            return
        if decision.status is DedupStatus.UNIQUE:
            if self._tentative is not None:
                self._tentative.reads.matched(candidate.terms, candidate.timestamp)
            self._count_in(decision.cluster_id, candidate.terms, candidate.timestamp, decision.similarity, None)
        self._insert(candidate, decision, keys, indexed=step is Step.REMEMBERED)

    def _note_changed(self, candidate: Candidate, keys: list[int], decisions: tuple[Decision, Decision],
                      changed: Writes) -> None:  # fmt: skip
        """A decision made again came out otherwise (or counted into a story again, which may move it otherwise):
        later articles that read what either version wrote (its keys; its terms and the centroids of the stories
        either joined) are decided again too."""
        changed.keys.update(_keys_of(candidate, keys))
        changed.grown_terms.update(term for term, _ in candidate.terms)
        for decision in decisions:
            if decision.status is DedupStatus.UNIQUE:
                changed.grown_terms.update(self._stories.centroid_terms(decision.cluster_id))

    def undo(self, tentative: Tentative) -> None:
        """Take a tentative batch back out: the index as it was before ``decide_tentatively``."""
        for table, added in reversed(tentative.added):
            del table[added]
        for key, held in tentative.bands.items():
            multimap.restore(self._bands, key, held)
        self._stories.restore(tentative.stories)
        for generation in [g for g in self._generations if g not in tentative.lengths]:
            del self._generations[generation]
        for generation, (articles, sources) in tentative.lengths.items():
            open_ = self._generations[generation]
            del open_.article_ids[articles:], open_.sources[sources:]
        self._order, self._newest, self._sequence = tentative.order, tentative.newest, tentative.sequence

    def close_batch(self, candidates: Sequence[Candidate], *, now: float) -> None:
        """Finish a tentative batch that stands, as ``decide`` would have at wall time ``now``."""
        self._close_batch(candidates, now)

    def apply(self, candidates: Sequence[Candidate], steps: Sequence[tuple[Decision, Step]], *, now: float,
              writes: Writes | None = None) -> None:  # fmt: skip
        """Bring the index to the state ``decide`` left another copy of it in, from the same state and the
        decisions it made: the same inserts, story updates and expiry, with no scoring. With ``writes``,
        note what the batch changed."""
        if not candidates:
            return
        signatures = np.array([c.signature for c in candidates])
        ledes = np.array([c.lede_signature for c in candidates])
        keys: list[list[int]] = band_key_rows(signatures, ledes, self._thresholds.bands).tolist()
        for candidate, keys_of, (decision, step) in zip(candidates, keys, steps, strict=True):
            if step is Step.REPLAYED:
                continue
            if writes is not None:
                writes.keys.add(candidate.source)
                if step is Step.INDEXED:
                    writes.keys.update((candidate.article_id, candidate.canonical_url, candidate.content_hash,
                                        *keys_of))  # fmt: skip
            if decision.status is DedupStatus.UNIQUE:
                self._count_in(decision.cluster_id, candidate.terms, candidate.timestamp, decision.similarity, writes)
            self._insert(candidate, decision, keys_of, indexed=step is Step.REMEMBERED)
        self._close_batch(candidates, now)

    def _count_in(
        self, story_id: str, terms: Terms, timestamp: float, similarity: float | None, writes: Writes | None
    ) -> None:
        """Count an article into a story (``similarity``: the join's, as published), noting in ``writes`` (or
        the tentative batch's undo) what it changes."""
        tentative = self._tentative
        if writes is None and tentative is None:
            self._stories.add(story_id, terms, timestamp, similarity=similarity)
            return
        growing = self._stories.grows(story_id, similarity)
        if tentative is not None:
            self._stories.remember(tentative.stories, story_id, terms, growing=growing)
            if growing:
                tentative.reads.grown.add(story_id)
        before = self._stories.last_seen(story_id)
        after = self._stories.add(story_id, terms, timestamp, similarity=similarity)
        if writes is not None:
            writes.story(story_id, before=before, after=after,
                         centroid=self._stories.centroid_terms(story_id) if growing else None)  # fmt: skip

    def _close_batch(self, candidates: Sequence[Candidate], now: float) -> None:
        """After a batch: partition fronts, sealing and the watermark's expiry."""
        for candidate in candidates:
            self._watermarks.observe(candidate.source, candidate.timestamp, now)
        generations = self._generations
        sealing = [
            g for g in self._order if g < self._newest and (generations[g].article_ids or generations[g].sources)
        ]
        for generation in sealing:  # newer articles have come: pack these
            self._seal(generation)
        if sealing:
            self._rebuild()
        self._advance(self._watermarks.advance(now))

    async def track(self, partitions: Sequence[str]) -> None:
        self.track_at(partitions, now=self._clock())

    def track_at(self, partitions: Sequence[str], *, now: float) -> None:
        """``track`` at wall time ``now``."""
        self._watermarks.track(partitions, now)

    async def watermark(self) -> float:
        return self._watermarks.current

    async def ping(self) -> None:
        return None

    async def size(self) -> int:
        return len(self._entries) + self._sealed_size

    async def memory_bytes(self) -> int:
        """Sealed arrays counted exactly; hash tables measured whole, plus entries, decisions and band keys at
        the mean size of a sample."""
        tables = (self._entries, self._decisions, self._by_url, self._by_content, self._bands)
        total = sum(sys.getsizeof(table) for table in tables)
        total += sum(segment.nbytes for generation in self._generations.values() for segment in generation.sealed)
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

    def story_memory_bytes(self) -> int:
        """The part of ``memory_bytes`` the story table holds."""
        return self._stories.memory_bytes()

    def live_stories(self) -> int:
        return len(self._stories)

    def sealed_segments(self) -> list[Segment]:
        return [segment for generation in self._generations.values() for segment in generation.sealed]

    def _info(self, decision: Decision) -> DedupInfo:
        return decision.info(self._thresholds.settings_version)

    def _look_up_sealed(self, candidates: Sequence[Candidate], keys: list[list[int]]) -> list[_Sealed]:
        """Everything the sealed segments hold about each candidate: one set of array searches per segment
        for the whole batch (a segment expiring during the batch is skipped when the answer is used)."""
        found = [_Sealed() for _ in candidates]
        segments = self.sealed_segments()
        if not segments or not candidates:
            return found
        sources = segment_keys([c.source for c in candidates])
        urls = segment_keys([c.canonical_url for c in candidates])
        contents = segment_keys([c.content_hash for c in candidates])
        ids = segment_keys([c.article_id for c in candidates])
        bands = np.array(keys, dtype=np.uint64).reshape(-1)
        per_candidate = len(keys[0])
        for segment in segments:
            replays = segment.sources.first(sources)
            for n in np.flatnonzero(replays >= 0).tolist():
                found[n].replay = (segment, int(replays[n]))
            for field_name, queries, lookup in (("url", urls, segment.urls), ("content", contents, segment.contents)):
                rows = lookup.first(queries)
                for n in np.flatnonzero(rows >= 0).tolist():
                    row = int(rows[n])
                    match = (int(segment.sequence[row]), segment, row)
                    current = getattr(found[n], field_name)
                    if current is None or match[0] < current[0]:
                        setattr(found[n], field_name, match)
            for n in np.flatnonzero(segment.ids.first(ids) >= 0).tolist():
                found[n].indexed = segment
            query, rows = segment.bands.every(bands, most=BAND_CANDIDATES)
            if query.size:  # each candidate's rows once each, in row order: one sort for the whole batch
                pairs = np.unique((query // per_candidate) << _ROW_BITS | rows)
                owner, rows = pairs >> _ROW_BITS, pairs & _ROW_MASK
                starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]]).tolist()
                for start, end in zip(starts, [*starts[1:], owner.size], strict=True):
                    found[int(owner[start])].bands.append((segment, rows[start:end]))
        return found

    def _decide(self, candidate: Candidate, keys: list[int], sealed: _Sealed) -> tuple[Decision, Step]:
        replayed = self._decisions.get(candidate.source)
        if replayed is not None:
            return replayed, Step.REPLAYED
        if sealed.replay is not None and sealed.replay[0].live:
            return sealed.replay[0].decision(sealed.replay[1]), Step.REPLAYED
        decision = self._exact(candidate, sealed) or self._near(candidate, keys, sealed) or self._story(candidate)
        indexed = candidate.article_id in self._entries or (sealed.indexed is not None and sealed.indexed.live)
        self._insert(candidate, decision, keys, indexed=indexed)
        return decision, Step.REMEMBERED if indexed else Step.INDEXED

    def _story(self, candidate: Candidate) -> Decision:
        """Not a copy: the first article of a story, or another write-up of a live one."""
        if self._tentative is not None:
            self._tentative.reads.matched(candidate.terms, candidate.timestamp)
        found = self._stories.match(candidate.terms, candidate.timestamp, words=candidate.shingle_count)
        if found is None:
            self._count_in(candidate.article_id, candidate.terms, candidate.timestamp, None, None)
            return Decision(DedupStatus.UNIQUE, None, candidate.article_id, None, None)
        story_id, similarity = found[0], round(found[1], 4)  # rounded as published: replicas replay this one
        self._count_in(story_id, candidate.terms, candidate.timestamp, similarity, None)
        return Decision(DedupStatus.UNIQUE, None, story_id, similarity, DedupMethod.STORY)

    def _exact(self, candidate: Candidate, sealed: _Sealed) -> Decision | None:
        for method, table, key, found in (
            (DedupMethod.URL, self._by_url, candidate.canonical_url, sealed.url),
            (DedupMethod.CONTENT, self._by_content, candidate.content_hash, sealed.content),
        ):
            best: tuple[int, str, str] | None = None  # (sequence, article id, cluster id): the first copy
            first = table.get(key)
            if first is not None and first in self._entries:
                entry = self._entries[first]
                best = (entry.sequence, first, entry.cluster_id)
            if found is not None and found[1].live and (best is None or found[0] < best[0]):
                best = (found[0], found[1].article_id(found[2]), found[1].cluster_id(found[2]))
            if best is not None:
                return Decision(DedupStatus.EXACT_DUPLICATE, best[1], best[2], 1.0, method)
        return None

    def _near(self, candidate: Candidate, keys: list[int], sealed: _Sealed) -> Decision | None:
        found = self._band_matches(keys, sealed)
        if found is None:
            return None
        matches, cluster_id = found
        copy = best_copy(candidate.signature, candidate.lede_signature, candidate.shingle_count, matches,
                         self._copy_rules)  # fmt: skip
        if copy is None:
            return None
        original_id = matches.article_id(copy.row)
        return Decision(
            DedupStatus.NEAR_DUPLICATE, original_id, cluster_id(copy.row), round(copy.score, 4), copy.method
        )

    def _band_matches(self, keys: list[int], sealed: _Sealed) -> tuple[Matches, Callable[[int], str]] | None:
        """Every indexed article sharing a band with the candidate, once each, as rows: sealed segments'
        rows first, then open entries; and how to read a row's cluster id. Rows are named only when asked
        (the winner, and ties), so a candidate with hundreds of matches builds no per-row Python objects."""
        parts: list[tuple[Segment, npt.NDArray[np.int64]]] = []
        signatures, ledes, counts = [], [], []
        for segment, rows in sealed.bands:  # rows: distinct, from ``_look_up_sealed``
            if segment.live:
                parts.append((segment, rows))
                signatures.append(segment.signatures[rows])
                ledes.append(segment.ledes[rows])
                counts.append(segment.shingle_counts[rows].astype(np.int64))
        opened = list(dict.fromkeys(i for key in keys for i in multimap.members(self._bands.get(key))))
        if opened:
            entries = [self._entries[article_id] for article_id in opened]
            signatures.append(np.frombuffer(b"".join(e.signature for e in entries), dtype=np.uint32)
                              .reshape(len(entries), -1))  # fmt: skip
            ledes.append(np.frombuffer(b"".join(e.lede_signature for e in entries), dtype=np.uint32)
                         .reshape(len(entries), -1))  # fmt: skip
            counts.append(np.array([e.shingle_count for e in entries], dtype=np.int64))
        if not signatures:
            return None
        ends = list(itertools.accumulate(len(rows) for _, rows in parts))
        sealed_rows = ends[-1] if ends else 0

        def place(row: int) -> tuple[Segment, int] | str:
            if row >= sealed_rows:
                return opened[row - sealed_rows]
            part = bisect.bisect_right(ends, row)
            segment, rows = parts[part]
            return segment, int(rows[row - (ends[part - 1] if part else 0)])

        def article_id(row: int) -> str:
            found = place(row)
            return found if isinstance(found, str) else found[0].article_id(found[1])

        def cluster_id(row: int) -> str:
            found = place(row)
            return self._entries[found].cluster_id if isinstance(found, str) else found[0].cluster_id(found[1])

        matches = Matches(signatures=np.concatenate(signatures), ledes=np.concatenate(ledes),
                          shingle_counts=np.concatenate(counts), article_id=article_id)  # fmt: skip
        return matches, cluster_id

    def _insert(self, candidate: Candidate, decision: Decision, keys: list[int], *, indexed: bool) -> None:
        self._newest = max(self._newest, candidate.generation)
        generation = max(candidate.generation, self._sketch_cutoff)  # a late article: kept a window from now
        if generation not in self._generations:
            self._generations[generation] = _Generation()
            bisect.insort(self._order, generation)
        self._decisions[candidate.source] = decision
        self._generations[generation].sources.append(candidate.source)
        article_id = candidate.article_id
        tentative = self._tentative
        if tentative is not None:
            tentative.added.append((self._decisions, candidate.source))
        if indexed:
            return  # a later copy of an article already indexed: its decision is remembered, nothing more
        if tentative is not None:
            tentative.added.append((self._entries, article_id))
            for table, key in ((self._by_url, candidate.canonical_url), (self._by_content, candidate.content_hash)):
                if key not in table:
                    tentative.added.append((table, key))
            for band in keys:
                if band not in tentative.bands:
                    tentative.bands[band] = multimap.saved(self._bands.get(band))
        self._sequence += 1
        entry = self._entries[article_id] = _Entry(
            signature=candidate.signature.tobytes(),
            lede_signature=candidate.lede_signature.tobytes(),
            shingle_count=candidate.shingle_count,
            canonical_url=candidate.canonical_url,
            content_hash=candidate.content_hash,
            cluster_id=decision.cluster_id,
            sequence=self._sequence,
        )
        self._index(article_id, entry, keys)
        self._generations[generation].article_ids.append(article_id)
        while len(self._entries) + self._sealed_size > self._thresholds.max_entries and self._order:
            self._expire(self._order.pop(0))

    def _advance(self, watermark: float) -> None:
        """Follow the watermark: generations a sketch window behind it keep only their exact keys, those an
        exact window behind are dropped whole; stories whose latest member is a story window behind end."""
        if math.isinf(watermark):
            return
        limits = self._thresholds
        current = math.floor(watermark / limits.generation_seconds)  # as the Redis script does
        if current > self._watermark_generation:  # a pass over every story: once a generation, not per batch
            self._watermark_generation = current
            self.reshapes += 1
            self._stories.expire(before=watermark - limits.stories.window_seconds)
        self._sketch_cutoff = max(self._sketch_cutoff, current - limits.window_generations + 1)
        oldest_kept = current - limits.exact_generations + 1
        while self._order and self._order[0] < oldest_kept:
            self._expire(self._order.pop(0))
        for generation in self._order:
            if generation >= self._sketch_cutoff:
                break
            if not self._generations[generation].thinned:
                self._thin(generation)

    def _thin(self, generation: int) -> None:
        """Forget a generation's sketches and band keys; its URL, content and offset lookups stay."""
        held = self._generations[generation]
        if held.article_ids or held.sources:
            self._seal(generation)
            self._rebuild()
        for segment in held.sealed:
            segment.thin()
        held.thinned = True
        self.reshapes += 1

    def _seal(self, generation: int) -> None:
        """Move a generation's open articles and decisions out of the dictionaries into a segment."""
        self.reshapes += 1
        open_ = self._generations[generation]
        kept = [(article_id, self._entries.pop(article_id)) for article_id in open_.article_ids]
        signatures = np.array([np.frombuffer(e.signature, dtype=np.uint32) for _, e in kept], dtype=np.uint32)
        ledes = np.array([np.frombuffer(e.lede_signature, dtype=np.uint32) for _, e in kept], dtype=np.uint32)
        no_keys = np.empty((0, 2 * self._thresholds.bands), dtype=np.uint64)
        packed = Packed(
            article_ids=[article_id for article_id, _ in kept],
            cluster_ids=[entry.cluster_id for _, entry in kept],
            sequence=np.array([entry.sequence for _, entry in kept], dtype=np.int64),
            signatures=signatures,
            ledes=ledes,
            shingle_counts=np.array([entry.shingle_count for _, entry in kept], dtype=np.int32),
            band_keys=band_key_rows(signatures, ledes, self._thresholds.bands) if kept else no_keys,
            urls=segment_keys([entry.canonical_url for _, entry in kept]),
            contents=segment_keys([entry.content_hash for _, entry in kept]),
            sources=open_.sources,
            decisions=[self._decisions.pop(source) for source in open_.sources],
        )
        segment = Segment(packed)
        open_.sealed.append(segment)
        self._sealed_size += segment.size
        while len(open_.sealed) >= 2 and 2 * open_.sealed[-1].held >= open_.sealed[-2].held:  # as a binary counter:
            last = open_.sealed.pop()  # O(log n) segments per generation, each row re-sorted O(log n) times
            open_.sealed[-1] = Segment.merged(open_.sealed[-1], last)
        open_.article_ids, open_.sources = [], []

    def _rebuild(self) -> None:
        """After sealing: the dictionaries rebuilt from the articles still open (a dictionary keeps its largest
        size after deletions, and this is cheaper than forgetting each sealed article's band keys one by one)."""
        self._entries, self._decisions = dict(self._entries), dict(self._decisions)
        self._by_url, self._by_content, self._bands = {}, {}, {}
        if not self._entries:
            return
        ids, entries = list(self._entries), list(self._entries.values())
        signatures = np.array([np.frombuffer(entry.signature, dtype=np.uint32) for entry in entries])
        ledes = np.array([np.frombuffer(entry.lede_signature, dtype=np.uint32) for entry in entries])
        rows = band_key_rows(signatures, ledes, self._thresholds.bands).tolist()
        for article_id, entry, keys in sorted(zip(ids, entries, rows, strict=True), key=lambda e: e[1].sequence):
            self._index(article_id, entry, keys)

    def _index(self, article_id: str, entry: _Entry, keys: list[int]) -> None:
        """Make an open article findable by URL, content and band keys (the first one keeps a URL or hash)."""
        self._by_url.setdefault(entry.canonical_url, article_id)
        self._by_content.setdefault(entry.content_hash, article_id)
        for key in keys:
            multimap.add(self._bands, key, article_id, keep=BAND_CANDIDATES, keep_first=True)

    def _forget(self, article_id: str) -> _Entry | None:
        """Take an open article out of the dictionaries."""
        entry = self._entries.pop(article_id, None)
        if entry is None:
            return None
        if self._by_url.get(entry.canonical_url) == article_id:
            del self._by_url[entry.canonical_url]
        if self._by_content.get(entry.content_hash) == article_id:
            del self._by_content[entry.content_hash]
        signature = np.frombuffer(entry.signature, dtype=np.uint32)
        lede = np.frombuffer(entry.lede_signature, dtype=np.uint32)
        for key in band_keys(signature, lede, self._thresholds.bands):
            multimap.remove(self._bands, key, article_id)
        return entry

    def _expire(self, generation: int) -> None:
        expired = self._generations.pop(generation, None)
        if expired is None:
            return
        self.reshapes += 1
        for source in expired.sources:
            self._decisions.pop(source, None)
        for article_id in expired.article_ids:
            self._forget(article_id)
        for segment in expired.sealed:
            segment.live = False  # a batch that looked it up before it expired skips it
            self._sealed_size -= segment.size


def _keys_of(candidate: Candidate, keys: list[int]) -> tuple[Key, ...]:
    """Every exact and band key deciding ``candidate`` reads (and deciding it may write)."""
    return (candidate.source, candidate.article_id, candidate.canonical_url, candidate.content_hash, *keys)


def _reads_of(candidate: Candidate, keys: list[int], decided: tuple[Decision, Step], grown: set[str]) -> Reads:
    """What deciding one article read, from its decision: a unique one was matched against the stories."""
    reads = Reads(keys=set(_keys_of(candidate, keys)))
    decision, step = decided
    if step is not Step.REPLAYED and decision.status is DedupStatus.UNIQUE:
        reads.matched(candidate.terms, candidate.timestamp)
        if decision.cluster_id in grown:
            reads.grown.add(decision.cluster_id)
    return reads
