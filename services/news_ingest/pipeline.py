"""The pipeline: decode -> normalise -> deduplicate (one index call per batch) -> tag -> assemble -> encode.

Every record ends in exactly one output. Bad input becomes ``Rejected`` with its reason; an exception that a
stage raises on one record (a bug that input found) becomes ``Rejected`` with ``processing_failed``, the stage
and the exception's type, and is logged as an error: the rest of the batch is published as usual. Only
infrastructure errors (``InfrastructureError``: the index or the tagger's processes) leave ``handle_batch``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

import structlog

from news_ingest import __version__
from news_ingest.codec import MAX_TRACE_HEADER_BYTES, RECORD_OVERHEAD_BYTES, decode_raw, reject, to_output
from news_ingest.config import TopicSettings
from news_ingest.errors import InfrastructureError, InputRejected
from news_ingest.metrics import Metrics
from news_ingest.models import (
    Article,
    DedupInfo,
    DedupStatus,
    EnrichedArticle,
    Provenance,
    RawArticle,
    RejectReason,
    Stage,
    Tags,
)
from news_ingest.records import Duplicate, Enriched, OutputRecord, Rejected, Result, SourceRecord

log = structlog.get_logger(__name__)
T = TypeVar("T")
U = TypeVar("U")
Handled = tuple[Result, OutputRecord]
Deduplicate = Callable[[Sequence[tuple[str, Article]]], Awaitable[list[DedupInfo]]]
_YIELD_EVERY_SECONDS = 0.02  # CPU work hands the event loop back this often (health probes, heartbeats)
# The batch-shaped stages (deduplicate, tag) run over chunks of at most this much text, handing the event loop
# back between chunks: tens of milliseconds of work each, however large the batch's articles are.
_CHUNK_CHARS = 400_000


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
        max_record_bytes: int,
        trace_headers: tuple[str, ...] = (),
    ) -> None:
        self._normalise = normalise
        self._deduplicate = deduplicate
        self._tag = tag
        self._topics = topics
        self._trace_headers = trace_headers
        self._max_message_bytes = max_message_bytes
        self._max_record_bytes = max_record_bytes
        # a rejected envelope leaves room for its headers: the fixed ones and each passed-through trace header
        self._max_envelope_bytes = (
            max_record_bytes - RECORD_OVERHEAD_BYTES - len(trace_headers) * (MAX_TRACE_HEADER_BYTES + 64)
        )
        self._timers = {stage: metrics.stage_duration.labels(stage=stage.value) for stage in Stage}

    async def handle_batch(self, records: Sequence[SourceRecord]) -> list[Handled]:
        """Every record ends in exactly one result and its encoded output record, in input order.
        Bad input and per-record failures become ``Rejected``; only an infrastructure failure raises."""
        pause = _Pause()
        items: list[Article | Rejected] = []
        for record in records:
            items.append(self._prepare(record))
            await pause()
        decisions = await self._decide(records, items)
        tags = await self._tag_articles(records, items, decisions)
        handled = []
        for n, record in enumerate(records):
            item = items[n]
            result = item if isinstance(item, Rejected) else self._finish(record, item, decisions[n], tags.get(n))
            handled.append(self._timed(Stage.ENCODE, lambda result=result, record=record: self._output(result, record)))  # type: ignore[misc]
            await pause()
        return handled

    async def _decide(self, records: Sequence[SourceRecord], items: list[Article | Rejected]) -> dict[int, DedupInfo]:
        """Dedup decisions by position; an article the stage fails on becomes ``Rejected`` in ``items``."""
        positions = [n for n, item in enumerate(items) if isinstance(item, Article)]
        batch = [(_source(records[n]), _article(items[n])) for n in positions]
        decided = await self._chunked(Stage.DEDUPLICATE, batch, self._deduplicate, lambda item: len(item[1].body))
        return self._placed(Stage.DEDUPLICATE, records, items, dict(zip(positions, decided, strict=True)))

    async def _tag_articles(
        self, records: Sequence[SourceRecord], items: list[Article | Rejected], decisions: dict[int, DedupInfo]
    ) -> dict[int, Tags]:
        """Tags by position for the articles that are not exact duplicates; failures become ``Rejected``."""
        positions = [n for n, decision in decisions.items() if decision.status is not DedupStatus.EXACT_DUPLICATE]
        batch = [_article(items[n]) for n in positions]
        found = await self._chunked(Stage.TAG, batch, self._tag, lambda article: len(article.body))
        return self._placed(Stage.TAG, records, items, dict(zip(positions, found, strict=True)))

    def _placed(
        self,
        stage: Stage,
        records: Sequence[SourceRecord],
        items: list[Article | Rejected],
        outputs: dict[int, T | Exception],
    ) -> dict[int, T]:
        """A batch stage's outputs by position; where it failed, the article becomes ``Rejected`` in ``items``."""
        kept: dict[int, T] = {}
        for n, output in outputs.items():
            if isinstance(output, Exception):
                items[n] = self._failed(records[n], stage, output)
            else:
                kept[n] = output
        return kept

    async def handle(self, record: SourceRecord) -> Handled:
        """One record on its own (a batch of one)."""
        return (await self.handle_batch([record]))[0]

    def refused(self, record: SourceRecord, result: Result, size: int) -> Handled:
        """The output for a record whose output the broker refused as too large: a rejected envelope that only
        references the original (the broker's limit is lower than the one this pipeline was given)."""
        if isinstance(result, Rejected):
            error = InputRejected(result.envelope.reason, result.envelope.detail, stage=result.envelope.stage)
        else:
            error = InputRejected(RejectReason.OUTPUT_TOO_LARGE, f"the broker refused the {size}-byte output record",
                                  stage=Stage.ENCODE)  # fmt: skip
        rejected = reject(record, error, max_record_bytes=0)
        return rejected, self._encode(rejected, record)

    def _prepare(self, record: SourceRecord) -> Article | Rejected:
        stage = Stage.DECODE
        try:
            raw = self._timed(stage, lambda: decode_raw(record, max_message_bytes=self._max_message_bytes))
            stage = Stage.NORMALISE
            return self._timed(stage, lambda: self._normalise(raw))
        except InputRejected as error:
            return reject(record, error, max_record_bytes=self._max_envelope_bytes)
        except InfrastructureError:
            raise
        except Exception as error:  # noqa: BLE001 - the per-record failure boundary: it becomes an output
            return self._failed(record, stage, error)

    async def _chunked(
        self,
        stage: Stage,
        items: Sequence[T],
        run: Callable[[Sequence[T]], Awaitable[list[U]]],
        chars: Callable[[T], int],
    ) -> list[U | Exception]:
        """``_isolated`` over chunks of the batch of at most ``_CHUNK_CHARS`` of text, in order, handing the event
        loop back between chunks."""
        results: list[U | Exception] = []
        chunk: list[T] = []
        size = 0
        for item in items:
            chunk.append(item)
            size += chars(item)
            if size >= _CHUNK_CHARS:
                found = await self._isolated(stage, chunk, run)
                results.extend(found)
                await asyncio.sleep(0)
                chunk, size = [], 0
        found = await self._isolated(stage, chunk, run)
        return results + found

    async def _isolated(
        self, stage: Stage, items: Sequence[T], run: Callable[[Sequence[T]], Awaitable[list[U]]]
    ) -> list[U | Exception]:
        """``run`` over the whole batch; if it raises anything but an infrastructure error, over each item alone,
        so that one item's failure is that item's alone (the index answers a re-checked source with its first
        decision, so running an item again is safe)."""
        if not items:
            return []
        try:
            batch: list[U | Exception] = [*await self._batch_timed(stage, len(items), lambda: run(items))]
        except InfrastructureError:
            raise
        except Exception:  # noqa: BLE001 - narrowed below, item by item
            log.warning("batch_isolating", stage=stage.value, items=len(items), why="a stage raised on the batch")
        else:
            return batch
        results: list[U | Exception] = []
        for item in items:
            try:
                (result,) = await self._batch_timed(stage, 1, lambda item=item: run([item]))  # type: ignore[misc]
            except InfrastructureError:
                raise
            except Exception as error:  # noqa: BLE001 - the per-record failure boundary: it becomes an output
                results.append(error)
            else:
                results.append(result)
        return results

    def _failed(self, record: SourceRecord, stage: Stage, error: BaseException) -> Rejected:
        """A stage raised on this record: reject it with the stage and the exception's type (never its message,
        which may quote the input), and log where it was raised so the bug can be fixed."""
        frame = error.__traceback__
        while frame is not None and frame.tb_next is not None:
            frame = frame.tb_next
        where = f"{frame.tb_frame.f_code.co_filename.rsplit('/', 1)[-1]}:{frame.tb_lineno}" if frame else "unknown"
        log.error("record_processing_failed", topic=record.topic, partition=record.partition, offset=record.offset,
                  stage=stage.value, error_type=type(error).__name__, where=where)  # fmt: skip
        failure = InputRejected(
            RejectReason.PROCESSING_FAILED, f"the {stage.value} stage raised {type(error).__name__}", stage=stage
        )
        return reject(record, failure, max_record_bytes=self._max_envelope_bytes)

    def _output(self, result: Result, record: SourceRecord) -> Handled:
        """The encoded output; an enriched record too large for the output topic is rejected instead."""
        try:
            output = self._encode(result, record)
        except Exception as error:  # noqa: BLE001 - the per-record failure boundary: it becomes an output
            result = self._failed(record, Stage.ENCODE, error)
            return result, self._encode(result, record)
        size = output.size_bytes
        if size > self._max_record_bytes and not isinstance(result, Rejected):
            too_large = InputRejected(
                RejectReason.OUTPUT_TOO_LARGE,
                f"the output record would be {size} bytes; the output topic takes {self._max_record_bytes}",
                stage=Stage.ENCODE,
            )
            result = reject(record, too_large, max_record_bytes=self._max_envelope_bytes)
            output = self._encode(result, record)
        return result, output

    def _encode(self, result: Result, record: SourceRecord) -> OutputRecord:
        return to_output(result, record, topics=self._topics, trace_headers=self._trace_headers)

    def _finish(self, record: SourceRecord, article: Article, dedup: DedupInfo, tags: Tags | None) -> Result:
        exact = dedup.status is DedupStatus.EXACT_DUPLICATE
        enriched = assemble(article, dedup, tags or Tags(), provenance(record, article))
        return Duplicate(enriched) if exact else Enriched(enriched)

    async def _batch_timed(self, stage: Stage, count: int, run: Callable[[], Awaitable[list[T]]]) -> list[T]:
        """A stage that runs once for a batch of ``count`` articles: each article is timed at its share, failed
        attempts included (a stall while the index is retried shows in the stage's duration)."""
        started = time.perf_counter()
        try:
            return await run()
        finally:
            per_article = (time.perf_counter() - started) / max(count, 1)
            for _ in range(count):
                self._timers[stage].observe(per_article)

    def _timed(self, stage: Stage, run: Callable[[], T]) -> T:
        started = time.perf_counter()
        try:
            return run()
        finally:
            self._timers[stage].observe(time.perf_counter() - started)


class _Pause:
    """Hands the event loop back when the batch has held it for ``_YIELD_EVERY_SECONDS``."""

    def __init__(self) -> None:
        self._since = time.perf_counter()

    async def __call__(self) -> None:
        if time.perf_counter() - self._since >= _YIELD_EVERY_SECONDS:
            await asyncio.sleep(0)
            self._since = time.perf_counter()


def _source(record: SourceRecord) -> str:
    return f"{record.topic}/{record.partition}/{record.offset}"


def _article(item: Article | Rejected) -> Article:
    assert isinstance(item, Article)
    return item


def provenance(record: SourceRecord, article: Article) -> Provenance:
    """Where the output came from; built only from the record, so reprocessing yields the same bytes."""
    appended = _record_time(record.timestamp_ms)
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
        fetched_at_clamped=article.fetched_at_clamped,
        body_truncated=article.body_truncated,
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


def _record_time(timestamp_ms: int | None) -> datetime | None:
    """The input record's timestamp as UTC; ``None`` when absent or outside what a datetime holds."""
    if not timestamp_ms:
        return None
    try:
        return datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
