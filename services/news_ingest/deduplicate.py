"""Deduplicate stage: decide, for a batch of articles, which are new, near-duplicates or exact duplicates."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from news_ingest.config import DedupSettings
from news_ingest.index import Candidate, DedupIndex, Thresholds
from news_ingest.models import Article, DedupInfo
from news_ingest.sketch import MinHasher, shingle_sets, words
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
        return await self._index.check_and_insert(self.candidates(items))

    def candidates(self, items: Sequence[tuple[str, Article]]) -> list[Candidate]:
        """Sketch a batch: each body tokenised once; shingles and MinHash computed for the whole batch at once
        (numpy's per-call cost, not the arithmetic, dominates for one article)."""
        shingle_words, lede_words = self._settings.shingle_words, self._settings.lede_words
        bodies = [words(article.body) for _, article in items]
        hashes, offsets = shingle_sets([body.ids for body in bodies], words=shingle_words)
        signatures = self._hasher.signatures(hashes, offsets)
        lede_hashes, lede_offsets = shingle_sets([body.ids[:lede_words] for body in bodies], words=shingle_words)
        lede_signatures = self._hasher.signatures(lede_hashes, lede_offsets)
        shingle_counts = np.diff(offsets).tolist()
        built = []
        for n, ((source, article), body) in enumerate(zip(items, bodies, strict=True)):
            moment = (article.published_at or article.fetched_at or datetime.now(UTC)).timestamp()
            terms = salient_terms(words(article.title or "") + body, language=article.language,
                                  top=self._settings.story_terms)  # fmt: skip
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
                    terms=terms,
                    timestamp=moment,
                )
            )
        return built

    def candidate(self, source: str, article: Article) -> Candidate:
        """One article's candidate (the batch path with a batch of one)."""
        return self.candidates([(source, article)])[0]
