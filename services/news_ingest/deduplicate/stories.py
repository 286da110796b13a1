"""Story clusters: which live story a new article is another write-up of, by salient-term centroids in a window.

Rules (both backends run this code: the shared index replays every decision into each replica's copy):
- a story's centroid is the sum of the unit term vectors (``terms.story_terms``) of its first ``members``
  articles that joined it clearly (at ``WEAK_JOIN`` or above; the founder counts), terms in first-seen order;
  later members, and members that only just made it, join without moving it, so a story cannot drift from
  the event it is about towards another one about the same people;
- a name that other live stories also hold says less about which story an article belongs to ("Trump" in
  every Washington story, one boxer in both of his fights): the article's weight of a term of the names
  view (``terms.NAMES``) is divided by ``1 + SHARED_DAMPING * k``, ``k`` = how many live stories other than
  this one hold it (from the term index: at most ``RECENT_STORIES``). Other words are not damped: in a
  stream of headlines many live stories share their words, and damping those cost most of the joins;
- similarity = (damped article terms, heaviest first, dotted with the centroid) / (the centroid's norm x the
  damped terms' norm);
- a story is live while its last member is at most ``window_seconds`` older than the article (article time);
- each term remembers only the ``RECENT_STORIES`` stories that gained it last; candidates come from the
  article's ``SEED_TERMS`` heaviest terms, ordered by how many of them they share (ties: first met, walking
  the seed terms heaviest first and each term's stories newest first), and the first ``CANDIDATES`` live ones
  are scored, so the cost per article stays flat however many stories share a common word;
- the best live story at or above the article's line wins; ties go to the smaller story id. The line is
  ``similarity``, ``short_similarity`` for a body under ``short_words`` words (a headline shares a few words
  with its story's other headlines: on the UCI headline stream 0.15 found 0.58 of the same-story pairs
  instead of 0.46 at the same precision) and ``long_similarity`` from ``long_words`` words (a long write-up
  of the story's event shares more of its terms with the centroid than a brief does: right joins averaged
  0.50 on NewsWCL50's ~800-word articles, and two long pieces on one running theme, a week of North Korea
  diplomacy, are what the lower line lets merge). Words are counted as the body's distinct shingles.
"""

from __future__ import annotations

import copy
import itertools
import math
import sys
from collections import Counter
from dataclasses import dataclass, field

from news_ingest.deduplicate import multimap
from news_ingest.deduplicate.terms import NAMES, Terms, view_of

SEED_TERMS = 8
RECENT_STORIES = 32
CANDIDATES = 8
# Chosen on ECB+'s odd topics and NewsWCL50 over five stream orders, checked on UCI headlines (docs/deduplicate.md).
SHARED_DAMPING = 0.25
WEAK_JOIN = 0.3


@dataclass(frozen=True, slots=True)
class StoryRules:
    similarity: float
    window_seconds: float
    members: int
    short_words: int = 0  # 0: no short line
    short_similarity: float = 0.0
    long_words: int = 0  # 0: no long line
    long_similarity: float = 0.0

    def line(self, words: int | None) -> float:
        """The similarity an article of ``words`` body words needs to join a story (None: length unknown)."""
        if words is None:
            return self.similarity
        if words < self.short_words:
            return self.short_similarity
        if self.long_words and words >= self.long_words:
            return self.long_similarity
        return self.similarity


@dataclass(slots=True)
class _Story:
    centroid: dict[bytes, float]
    norm: float
    members: int
    last_seen: float
    shaped: int  # members whose terms are in the centroid


@dataclass(slots=True)
class StoryUndo:
    """The story table as it was before a tentative batch changed it: what ``StoryClusters.restore`` puts back
    (each story touched, None if the batch started it; the postings of each term a growing story gained)."""

    stories: dict[str, _Story | None] = field(default_factory=dict)
    terms: dict[bytes, multimap.Held | None] = field(default_factory=dict)


@dataclass
class StoryClusters:
    """The in-memory story table: centroids and an inverted index from term to story ids."""

    rules: StoryRules
    _stories: dict[str, _Story] = field(default_factory=dict)
    # stories in the order they gained the term; one story as itself (most terms have one: a list costs more)
    _by_term: dict[bytes, str | list[str]] = field(default_factory=dict)

    def match(self, terms: Terms, timestamp: float, *, words: int | None = None) -> tuple[str, float] | None:
        """The story this article belongs to, with its similarity, or None (``words``: the body's length)."""
        by_term = self._by_term
        # counted in the order met: seed terms heaviest first, each term's stories newest first
        shared = Counter(
            itertools.chain.from_iterable(multimap.newest_first(by_term.get(d)) for d, _ in terms[:SEED_TERMS])
        )
        if not shared:
            return None  # no story holds a seed term: no holder counts to read
        holders = [multimap.count(by_term.get(digest)) for digest, _ in terms]
        best: tuple[float, str] | None = None
        scored = 0
        line = self.rules.line(words)
        for story_id in sorted(shared, key=shared.__getitem__, reverse=True):  # stable: ties stay as met
            story = self._stories[story_id]
            if story.last_seen < timestamp - self.rules.window_seconds:
                continue
            if scored == CANDIDATES:
                break
            scored += 1
            similarity = _similarity(terms, holders, story)
            if similarity >= line and (
                best is None or similarity > best[0] or (similarity == best[0] and story_id < best[1])
            ):
                best = (similarity, story_id)
        return None if best is None else (best[1], best[0])

    def add(self, story_id: str, terms: Terms, timestamp: float, *, similarity: float | None = None) -> float:
        """Count an article into a story (a new story when ``story_id`` is new); the story's last member time
        after it. ``similarity``: the join's, as published (rounded), so that a replica replaying the decision
        shapes the centroid alike."""
        story = self._stories.get(story_id)
        if story is None:
            story = self._stories[story_id] = _Story(centroid={}, norm=1.0, members=0, last_seen=timestamp,
                                                          shaped=0)  # fmt: skip
        story.last_seen = max(story.last_seen, timestamp)
        story.members += 1
        if not terms or not self._shapes(story, similarity):
            return story.last_seen
        story.shaped += 1
        for digest, weight in terms:
            if digest not in story.centroid:
                multimap.add(self._by_term, digest, story_id, keep=RECENT_STORIES)
            story.centroid[digest] = story.centroid.get(digest, 0.0) + weight
        squares = 0.0
        for weight in story.centroid.values():
            squares += weight * weight
        story.norm = math.sqrt(squares) or 1.0
        return story.last_seen

    def grows(self, story_id: str, similarity: float | None) -> bool:
        """Whether counting an article into the story at this join's similarity would shape its centroid (a new
        story does; a weak join, or a story with ``members`` shaping members already, does not)."""
        story = self._stories.get(story_id)
        return story is None or self._shapes(story, similarity)

    def _shapes(self, story: _Story, similarity: float | None) -> bool:
        """A clear join (not under ``WEAK_JOIN``) into a story with fewer than ``members`` shaping members."""
        weak = similarity is not None and similarity < WEAK_JOIN
        return not weak and story.shaped < self.rules.members

    def last_seen(self, story_id: str) -> float | None:
        story = self._stories.get(story_id)
        return None if story is None else story.last_seen

    def centroid_terms(self, story_id: str) -> list[bytes]:
        """The terms of a story's centroid, in first-seen order (none for an unknown story)."""
        story = self._stories.get(story_id)
        return [] if story is None else list(story.centroid)

    def remember(self, undo: StoryUndo, story_id: str, terms: Terms, *, growing: bool) -> None:
        """Note in ``undo`` what counting an article (``terms``) into the story is about to change."""
        if story_id not in undo.stories:
            story = self._stories.get(story_id)
            saved = copy.copy(story)
            if saved is not None:  # its own dict: a later member of the batch may still grow the live one
                saved.centroid = dict(saved.centroid)
            undo.stories[story_id] = saved
        if growing:
            for term, _ in terms:
                if term not in undo.terms:
                    undo.terms[term] = multimap.saved(self._by_term.get(term))

    def restore(self, undo: StoryUndo) -> None:
        """Put back the stories and postings ``undo`` remembered."""
        for story_id, story in undo.stories.items():
            if story is None:
                del self._stories[story_id]
            else:
                self._stories[story_id] = story
        for term, held in undo.terms.items():
            multimap.restore(self._by_term, term, held)

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


def _similarity(terms: Terms, holders: list[int], story: _Story) -> float:
    """The cosine of the article's terms with the centroid, each name damped by the number of other live
    stories holding it (``holders``: how many the term index lists, this one included if it does)."""
    dot = squares = 0.0
    weight_of = story.centroid.get
    for (digest, weight), held in zip(terms, holders, strict=True):  # summed in this order: replicas agree
        theirs = weight_of(digest)
        others = held - (theirs is not None)
        damped = weight / (1.0 + SHARED_DAMPING * others) if others > 0 and view_of(digest) == NAMES else weight
        squares += damped * damped
        if theirs is not None:
            dot += damped * theirs
    return dot / (story.norm * math.sqrt(squares)) if squares else 0.0
