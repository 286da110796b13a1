"""The pipeline: decode -> normalise -> deduplicate -> tag -> assemble, one consumed record to one result."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

from news_ingest import __version__
from news_ingest.codec import decode_raw, reject, to_output
from news_ingest.config import TopicSettings
from news_ingest.deduplicate import deduplicate
from news_ingest.errors import InputRejected
from news_ingest.metrics import Metrics
from news_ingest.models import (
    Article,
    DedupInfo,
    DedupStatus,
    EnrichedArticle,
    Provenance,
    RawArticle,
    Stage,
    Tags,
)
from news_ingest.records import Duplicate, Enriched, OutputRecord, Result, SourceRecord
from news_ingest.tag import tag

T = TypeVar("T")


class Pipeline:
    """Runs the stages over one record; holds the stage dependencies and times each stage."""

    def __init__(
        self,
        *,
        metrics: Metrics,
        normalise: Callable[[RawArticle], Article],
        topics: TopicSettings,
        max_message_bytes: int,
        max_output_bytes: int,
        trace_headers: tuple[str, ...] = (),
    ) -> None:
        self._normalise = normalise
        self._topics = topics
        self._trace_headers = trace_headers
        self._max_message_bytes = max_message_bytes
        self._max_output_bytes = max_output_bytes
        self._timers = {stage: metrics.stage_duration.labels(stage=stage.value) for stage in Stage}

    def handle(self, record: SourceRecord) -> tuple[Result, OutputRecord]:
        """Process one record and encode its output record (topic, key, final bytes, headers)."""
        result = self.process(record)
        output = self._timed(
            Stage.ENCODE,
            lambda: to_output(result, record, topics=self._topics, trace_headers=self._trace_headers),
        )
        return result, output

    def process(self, record: SourceRecord) -> Result:
        """Every record ends in exactly one result; bad input becomes ``Rejected``, never an exception."""
        try:
            raw = self._timed(Stage.DECODE, lambda: decode_raw(record, max_message_bytes=self._max_message_bytes))
            article = self._timed(Stage.NORMALISE, lambda: self._normalise(raw))
            dedup = self._timed(Stage.DEDUPLICATE, lambda: deduplicate(article))
            tags = (
                Tags() if dedup.status is DedupStatus.EXACT_DUPLICATE else self._timed(Stage.TAG, lambda: tag(article))
            )
        except InputRejected as error:
            return reject(record, error, max_embed_bytes=self._max_output_bytes)
        enriched = assemble(article, dedup, tags, provenance(record, article))
        return Duplicate(enriched) if dedup.status is DedupStatus.EXACT_DUPLICATE else Enriched(enriched)

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
