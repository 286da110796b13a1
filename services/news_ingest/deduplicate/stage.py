"""Deduplicate stage: decide, for a batch of articles, which are new, near-duplicates or exact duplicates."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

from news_ingest.config import DedupSettings
from news_ingest.deduplicate.index import Candidate, DedupIndex
from news_ingest.deduplicate.sketch import MAX_TEXTS, OnePermutationHasher, distinct_counts, shingles, words_of
from news_ingest.deduplicate.terms import preload, story_terms, supported
from news_ingest.models import Article, DedupInfo

# How far ahead of this machine's clock an article's time may place it in the window. Normalise already keeps
# published_at within a day of the fetch; this keeps any one article, however it was built, from moving the
# window (and expiring what it holds) by more than this.
_AHEAD_SECONDS = 3600.0


class Deduplicator:
    """Sketches each article's body and asks the index about the whole batch in one call."""

    def __init__(self, *, index: DedupIndex, settings: DedupSettings, clock: Callable[[], float] = time.time) -> None:
        if settings.permutations % settings.bands:
            raise ValueError("dedup.permutations must be a multiple of dedup.bands")
        self._index = index
        self._settings = settings
        self._clock = clock
        self._hasher = OnePermutationHasher(bins=settings.permutations)
        self._generation_seconds = settings.generation_hours * 3600
        for language in settings.preload_languages:  # before the first batch rather than inside one
            preload(language)
        self._weighed = {supported(language) for language in settings.preload_languages}
        self._assigned: list[str] = []  # partitions assigned since the last batch: told to the index first

    def expect(self, partitions: Sequence[str]) -> None:
        """Partitions (``topic/partition``) this consumer was just assigned: they hold the event-time
        watermark until they deliver (told to the index by ``announce``)."""
        self._assigned.extend(partitions)

    async def __call__(self, items: Sequence[tuple[str, Article]]) -> list[DedupInfo]:
        """Decisions for (source position, article) pairs, in order, from one index call."""
        for language in {supported(article.language) for _, article in items} - self._weighed:
            # a language's word weights take ~0.26 s to build: off the event loop, so probes keep answering
            await asyncio.to_thread(preload, language)
            self._weighed.add(language)
        await self.announce()
        return await self._index.check_and_insert(self.candidates(items))

    async def announce(self) -> None:
        """Tell the index the partitions assigned since the last call. Called on assignment, so that a replica
        whose partitions have nothing to read yet still holds the group's watermark, and again before each
        batch (a failure here leaves them pending and is retried with the batch)."""
        if not self._assigned:
            return
        pending, self._assigned = self._assigned, []
        try:
            await self._index.track(pending)
        except BaseException:
            self._assigned = pending + self._assigned  # still to tell, before the next batch
            raise

    def candidates(self, items: Sequence[tuple[str, Article]]) -> list[Candidate]:
        """Sketch a batch: every step (words, shingles, signatures, terms) runs once over the whole batch, as
        numpy's per-call cost, not the arithmetic, dominates for one article."""
        built: list[Candidate] = []
        for start in range(0, len(items), MAX_TEXTS):
            built.extend(self._sketch(items[start : start + MAX_TEXTS]))
        return built

    def _sketch(self, items: Sequence[tuple[str, Article]]) -> list[Candidate]:
        size, lede = self._settings.shingle_words, self._settings.lede_words
        found = words_of([article.body for _, article in items] + [article.title or "" for _, article in items])
        bodies, titles = found[: len(items)], found[len(items) :]
        hashes, owners = shingles([body.ids for body in bodies], size=size)
        signatures = self._hasher.signatures(hashes, owners, len(items))
        shingle_counts = distinct_counts(hashes, owners, len(items)).tolist()
        lede_hashes, lede_owners = shingles([body.ids[:lede] for body in bodies], size=size)
        lede_signatures = self._hasher.signatures(lede_hashes, lede_owners, len(items))
        terms = story_terms([article.title or "" for _, article in items], [article.body for _, article in items],
                            titles, bodies, [article.language for _, article in items],
                            top=self._settings.story_terms)  # fmt: skip
        built = []
        now = self._clock()
        for n, (source, article) in enumerate(items):
            stamped = article.published_at or article.fetched_at
            moment = min(stamped.timestamp(), now + _AHEAD_SECONDS) if stamped else now
            built.append(
                Candidate(
                    source=source,
                    article_id=article.article_id,
                    canonical_url=article.canonical_url,
                    content_hash=article.content_hash,
                    signature=signatures[n],
                    lede_signature=lede_signatures[n],
                    shingle_count=shingle_counts[n],
                    generation=int(moment // self._generation_seconds),
                    terms=terms[n],
                    timestamp=moment,
                )
            )
        return built

    def candidate(self, source: str, article: Article) -> Candidate:
        """One article's candidate (the batch path with a batch of one)."""
        return self.candidates([(source, article)])[0]
