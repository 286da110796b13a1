"""Deduplicate stage: decide, for a batch of articles, which are new, near-duplicates or exact duplicates."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

from news_ingest.config import DedupSettings
from news_ingest.index import Candidate, DedupIndex, Thresholds
from news_ingest.models import Article, DedupInfo
from news_ingest.sketch import MinHasher, shingle_hashes, words
from news_ingest.stories import StoryRules
from news_ingest.terms import salient_terms


def thresholds(settings: DedupSettings) -> Thresholds:
    """The index's view of the dedup settings."""
    return Thresholds(
        near_jaccard=settings.near_jaccard,
        containment=settings.containment,
        lede_jaccard=settings.lede_jaccard,
        lede_containment=settings.lede_containment,
        bands=settings.bands,
        window_generations=max(1, math.ceil(settings.window_hours / settings.generation_hours)),
        max_entries=settings.max_entries,
        settings_version=settings.version(),
        stories=StoryRules(
            similarity=settings.story_similarity,
            window_seconds=settings.story_window_hours * 3600,
            members=settings.story_members,
        ),
    )


class Deduplicator:
    """Sketches each article's body and asks the index about the whole batch in one call."""

    def __init__(self, *, index: DedupIndex, settings: DedupSettings) -> None:
        if settings.permutations % settings.bands:
            raise ValueError("dedup.permutations must be a multiple of dedup.bands")
        self._index = index
        self._settings = settings
        self._hasher = MinHasher(permutations=settings.permutations)
        self._generation_seconds = settings.generation_hours * 3600

    async def __call__(self, items: Sequence[tuple[str, Article]]) -> list[DedupInfo]:
        """Decisions for (source position, article) pairs, in order, from one index call."""
        return await self._index.check_and_insert([self.candidate(source, article) for source, article in items])

    def candidate(self, source: str, article: Article) -> Candidate:
        body = words(article.body)  # tokenised once: the whole text's shingles, the lede's, the terms
        ids = body.ids
        hashes = shingle_hashes(ids, words=self._settings.shingle_words)
        moment = article.published_at or article.fetched_at or datetime.now(UTC)
        return Candidate(
            source=source,
            article_id=article.article_id,
            canonical_url=article.canonical_url,
            content_hash=article.content_hash,
            signature=self._hasher.signature(hashes),
            lede_signature=self._hasher.signature(
                shingle_hashes(ids[: self._settings.lede_words], words=self._settings.shingle_words)
            ),
            shingle_count=int(hashes.size),
            generation=int(moment.timestamp() // self._generation_seconds),
            terms=salient_terms(
                words(article.title or "") + body, language=article.language, top=self._settings.story_terms
            ),
            timestamp=moment.timestamp(),
        )
