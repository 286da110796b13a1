"""What a batch decided ahead of its turn read from the index, what the batches that landed first wrote, and
whether its decisions still stand.

A replica of the shared index decides a batch on its copy while others append theirs (``redis_index.py``). If
batches landed in the log before it, its decisions are those the in-memory index would make in the log's
order exactly when none of those batches changed anything the decisions looked at:

- exact keys: source offsets, article ids, URL and content digests, and the LSH band keys of every article
  (each article reads its own before it writes them; a band key's value is its list of articles);
- the story table: the seed terms of each article matched against stories (whose term postings give its
  candidate stories) and its names (each damped by how many live stories hold it), every story whose
  centroid a batch changed (a story's first ``members`` clear joins move it; later and weak ones only count
  in and move its last time), and a story's last time crossing the window for an article of the batch (a
  dead candidate coming alive);
- anything that reshapes the index (a generation sealed, thinned or expired, stories expired): taken as a
  conflict with everything, since it can change which rows a lookup returns.

The check is conservative: a conflict means the batch is decided again, never that a wrong decision stands.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from news_ingest.deduplicate.stories import SEED_TERMS
from news_ingest.deduplicate.terms import NAMES, Terms, view_of

Key = str | int  # a source offset, article id or digest (hex strings that cannot meet), or a band key


@dataclass(slots=True)
class Reads:
    """What one tentatively decided batch looked at (and wrote: every key it writes it read first)."""

    keys: set[Key] = field(default_factory=set)
    seeds: set[bytes] = field(default_factory=set)  # seed terms of the articles matched against stories
    grown: set[str] = field(default_factory=set)  # stories whose centroid the batch moved (or started)
    earliest: float = math.inf  # article times of the articles matched against stories
    latest: float = -math.inf

    def matched(self, terms: Terms, timestamp: float) -> None:
        """An article was matched against the live stories."""
        self.seeds.update(term for term, _ in terms[:SEED_TERMS])
        # every name weighs by how many live stories hold it (``stories.SHARED_DAMPING``): a story that gained
        # one of them since changes the similarity even when the story is no candidate
        self.seeds.update(term for term, _ in terms[SEED_TERMS:] if view_of(term) == NAMES)
        self.earliest = min(self.earliest, timestamp)
        self.latest = max(self.latest, timestamp)


@dataclass(slots=True)
class Writes:
    """What replaying the batches that landed first changed."""

    keys: set[Key] = field(default_factory=set)
    grown_terms: set[bytes] = field(default_factory=set)  # the terms of every centroid that moved
    joined: dict[str, tuple[float, float]] = field(default_factory=dict)  # old story -> last time before, after
    reshaped: bool = False

    def story(self, story_id: str, *, before: float | None, after: float, centroid: list[bytes] | None) -> None:
        """An article counted into a story (``before``: its last time, None for a new one; ``centroid``: its
        terms when the article moved it)."""
        if centroid is not None:
            self.grown_terms.update(centroid)
        if before is not None:
            first = self.joined.get(story_id, (before, after))[0]
            self.joined[story_id] = (first, after)


def conflict(reads: Reads, writes: Writes, *, window_seconds: float) -> str | None:
    """Why the batch's decisions no longer stand (a short reason), or None if they do."""
    if writes.reshaped:
        return "reshaped"
    if not reads.keys.isdisjoint(writes.keys):
        return "keys"
    if not reads.seeds.isdisjoint(writes.grown_terms):
        return "terms"
    for story_id, (before, after) in writes.joined.items():
        if story_id in reads.grown:
            return "story"
        # an article at time t saw the story dead if before < t - window, and sees it live if after >= t - window
        if reads.earliest <= after + window_seconds and reads.latest > before + window_seconds:
            return "liveness"
    return None
