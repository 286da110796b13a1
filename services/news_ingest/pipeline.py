"""The pipeline: decode -> normalise -> deduplicate (one index call per batch) -> tag -> assemble -> encode."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from news_ingest import __version__
from news_ingest.codec import decode_raw, reject, to_output
from news_ingest.config import TopicSettings
from news_ingest.errors import InputRejected
from news_ingest.metrics import Metrics
from news_ingest.models import Article, DedupInfo, DedupStatus, EnrichedArticle, Provenance, RawArticle, Stage, Tags
from news_ingest.records import Duplicate, Enriched, OutputRecord, Rejected, Result, SourceRecord

T = TypeVar("T")
Handled = tuple[Result, OutputRecord]
Deduplicate = Callable[[Sequence[tuple[str, Article]]], Awaitable[list[DedupInfo]]]


class Pipeline:
    """Runs the stages over a batch of records; holds the stage dependencies and times each stage."""

    def __init__(
        self,
        *,
        metrics: Metrics,
        normalise: Callable[[RawArticle], Article],
        deduplicate: Deduplicate,
        tag: Callable[[Sequence[Article]], Awaitable[list[Tags]]],
        topics: TopicSettings,
        max_message_bytes: int,
        max_output_bytes: int,
        trace_headers: tuple[str, ...] = (),
    ) -> None:
        self._normalise = normalise
        self._deduplicate = deduplicate
        self._tag = tag
        self._topics = topics
        self._trace_headers = trace_headers
        self._max_message_bytes = max_message_bytes
        self._max_output_bytes = max_output_bytes
        self._timers = {stage: metrics.stage_duration.labels(stage=stage.value) for stage in Stage}

    async def handle_batch(self, records: Sequence[SourceRecord]) -> list[Handled]:
        """Every record ends in exactly one result and its encoded output record, in input order.
        Bad input becomes ``Rejected``; only an infrastructure failure (the dedup index) raises."""
        prepared = [self._prepare(record) for record in records]
        articles = [
            (f"{record.topic}/{record.partition}/{record.offset}", item)
            for record, item in zip(records, prepared, strict=True)
            if isinstance(item, Article)
        ]
        decisions = await self._batch_timed(Stage.DEDUPLICATE, len(articles), lambda: self._deduplicate(articles))
        to_tag = [article for (_, article), decision in zip(articles, decisions, strict=True)
                  if decision.status is not DedupStatus.EXACT_DUPLICATE]  # fmt: skip
        tags = iter(await self._batch_timed(Stage.TAG, len(to_tag), lambda: self._tag(to_tag)))
        found = iter(decisions)
        handled = []
        for record, item in zip(records, prepared, strict=True):
            result = item if isinstance(item, Rejected) else self._finish(record, item, next(found), tags)
            output = self._timed(
                Stage.ENCODE,
                lambda result=result, record=record: to_output(  # type: ignore[misc]
                    result, record, topics=self._topics, trace_headers=self._trace_headers
                ),
            )
            handled.append((result, output))
        return handled

    async def handle(self, record: SourceRecord) -> Handled:
        """One record on its own (a batch of one)."""
        return (await self.handle_batch([record]))[0]

    def _prepare(self, record: SourceRecord) -> Article | Rejected:
        try:
            raw = self._timed(Stage.DECODE, lambda: decode_raw(record, max_message_bytes=self._max_message_bytes))
            return self._timed(Stage.NORMALISE, lambda: self._normalise(raw))
        except InputRejected as error:
            return reject(record, error, max_embed_bytes=self._max_output_bytes)

    def _finish(self, record: SourceRecord, article: Article, dedup: DedupInfo, tags: Iterator[Tags]) -> Result:
        exact = dedup.status is DedupStatus.EXACT_DUPLICATE
        enriched = assemble(article, dedup, Tags() if exact else next(tags), provenance(record, article))
        return Duplicate(enriched) if exact else Enriched(enriched)

    async def _batch_timed(self, stage: Stage, count: int, run: Callable[[], Awaitable[list[T]]]) -> list[T]:
        """A stage that runs once for a batch of ``count`` articles: each article is timed at its share."""
        if not count:
            return []
        started = time.perf_counter()
        results = await run()
        per_article = (time.perf_counter() - started) / count
        for _ in range(count):
            self._timers[stage].observe(per_article)
        return results

    def _timed(self, stage: Stage, run: Callable[[], T]) -> T:
        started = time.perf_counter()
        try:
            return run()
        finally:
            self._timers[stage].observe(time.perf_counter() - started)


def provenance(record: SourceRecord, article: Article) -> Provenance:
    """Where the output came from; built only from the record, so reprocessing yields the same bytes."""
    appended = datetime.fromtimestamp(record.timestamp_ms / 1000, tz=UTC) if record.timestamp_ms else None
    return Provenance(
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        fetched_at=article.fetched_at,
        processed_at=appended,
        service_version=__version__,
    )


def assemble(article: Article, dedup: DedupInfo, tags: Tags, origin: Provenance) -> EnrichedArticle:
    """Combine the stage outputs into the published contract."""
    return EnrichedArticle(
        article_id=article.article_id,
        url=article.url,
        canonical_url=article.canonical_url,
        title=article.title,
        body=article.body,
        related=article.related,
        dateline=article.dateline,
        language=article.language,
        published_at=article.published_at,
        published_at_estimated=article.published_at_estimated,
        source=article.source,
        event_id=article.event_id,
        word_count=article.word_count,
        content_hash=article.content_hash,
        dedup=dedup,
        regions=tags.regions,
        entities=tags.entities,
        metadata=article.metadata,
        provenance=origin,
    )
