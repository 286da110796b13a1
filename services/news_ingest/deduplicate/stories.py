"""Story clusters: which live story a new article is another write-up of, by salient-term centroids in a window.

Rules shared with the Redis index's script (kept step for step, so both backends decide alike):
- a story's centroid is the sum of its first ``members`` articles' unit term vectors, terms in first-seen order;
  later members join without moving it, so a story cannot drift away from what it is about;
- similarity = (article terms, heaviest first, dotted with the centroid) / the centroid's norm;
- a story is live while its last member is at most ``window_seconds`` older than the article (article time);
- each term remembers only the ``RECENT_STORIES`` stories that gained it last; candidates come from the
  article's ``SEED_TERMS`` heaviest terms, ordered by how many of them they share (ties: first met, walking
  the seed terms heaviest first and each term's stories newest first), and the first ``CANDIDATES`` live ones
  are scored, so the cost per article stays flat however many stories share a common word;
- the best live story at or above ``similarity`` wins; ties go to the smaller story id.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections import Counter
from dataclasses import dataclass, field

from news_ingest.deduplicate import multimap
from news_ingest.deduplicate.terms import Terms

SEED_TERMS = 8
RECENT_STORIES = 32
CANDIDATES = 8


@dataclass(frozen=True, slots=True)
class StoryRules:
    similarity: float
    window_seconds: float
    members: int


@dataclass(slots=True)
class _Story:
    centroid: dict[bytes, float]
    norm: float
    members: int
    last_seen: float


@dataclass
class StoryClusters:
    """The in-memory story table: centroids and an inverted index from term to story ids."""

    rules: StoryRules
    _stories: dict[str, _Story] = field(default_factory=dict)
    # stories in the order they gained the term; one story as itself (most terms have one: a list costs more)
    _by_term: dict[bytes, str | list[str]] = field(default_factory=dict)

    def match(self, terms: Terms, timestamp: float) -> tuple[str, float] | None:
        """The story this article belongs to, with its similarity, or None."""
        by_term = self._by_term
        # counted in the order met: seed terms heaviest first, each term's stories newest first
        shared = Counter(
            itertools.chain.from_iterable(multimap.newest_first(by_term.get(d)) for d, _ in terms[:SEED_TERMS])
        )
        best: tuple[float, str] | None = None
        scored = 0
        for story_id in sorted(shared, key=shared.__getitem__, reverse=True):  # stable: ties stay as met
            story = self._stories[story_id]
            if story.last_seen < timestamp - self.rules.window_seconds:
                continue
            if scored == CANDIDATES:
                break
            scored += 1
            dot, weight_of = 0.0, story.centroid.get
            for digest, weight in terms:  # summed in this order, as the Redis script does
                dot += weight * weight_of(digest, 0.0)
            similarity = dot / story.norm
            if similarity >= self.rules.similarity and (
                best is None or similarity > best[0] or (similarity == best[0] and story_id < best[1])
            ):
                best = (similarity, story_id)
        return None if best is None else (best[1], best[0])

    def add(self, story_id: str, terms: Terms, timestamp: float) -> None:
        """Count an article into a story (a new story when ``story_id`` is new)."""
        story = self._stories.get(story_id)
        if story is None:
            story = self._stories[story_id] = _Story(centroid={}, norm=1.0, members=0, last_seen=timestamp)
        story.last_seen = max(story.last_seen, timestamp)
        story.members += 1
        if story.members > self.rules.members or not terms:
            return
        for digest, weight in terms:
            if digest not in story.centroid:
                multimap.add(self._by_term, digest, story_id, keep=RECENT_STORIES)
            story.centroid[digest] = story.centroid.get(digest, 0.0) + weight
        squares = 0.0
        for weight in story.centroid.values():
            squares += weight * weight
        story.norm = math.sqrt(squares) or 1.0

    def expire(self, before: float) -> None:
        """Forget stories whose last member is older than ``before``."""
        for story_id in [sid for sid, story in self._stories.items() if story.last_seen < before]:
            story = self._stories.pop(story_id)
            for digest in story.centroid:
                multimap.remove(self._by_term, digest, story_id)

    def __len__(self) -> int:
        return len(self._stories)

    def memory_bytes(self, *, sample: int = 64) -> int:
        """Estimated bytes held: the tables measured whole, stories and postings at a sample's mean size."""
        total = sys.getsizeof(self._stories) + sys.getsizeof(self._by_term)
        stories = list(itertools.islice(self._stories.values(), sample))
        if stories:
            each = sum(sys.getsizeof(story) + sys.getsizeof(story.centroid) + 49 * len(story.centroid)
                       for story in stories) / len(stories)  # fmt: skip  # 49: an 8-byte id and a float
            total += round(each * len(self._stories))
        postings = list(itertools.islice(self._by_term.items(), sample))
        if postings:
            each = sum(sys.getsizeof(term) + (sys.getsizeof(ids) if isinstance(ids, list) else 0)
                       for term, ids in postings) / len(postings)  # fmt: skip
            total += round(each * len(self._by_term))
        return total
