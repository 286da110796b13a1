"""The consume loop: fetch a batch, run the pipeline, publish, await acks, then commit."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

import structlog

from news_ingest.config import ConsumerSettings, RuntimeSettings, TopicSettings
from news_ingest.errors import CommitFailed, InfrastructureError, PublishFailed
from news_ingest.health import Check, Readiness
from news_ingest.metrics import NO_REASON, Metrics, ProducerErrorKind
from news_ingest.models import Outcome
from news_ingest.pipeline import Handled, Pipeline
from news_ingest.ports import Publisher, Source
from news_ingest.records import Partition, Rejected, Result, SourceRecord

log = structlog.get_logger(__name__)
T = TypeVar("T")


@dataclass
class Summary:
    """What a run did, logged once at shutdown."""

    consumed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    batches: int = 0
    commit_failures: int = 0

    def as_log(self) -> dict[str, int]:
        return {
            "consumed": self.consumed,
            "batches": self.batches,
            "commit_failures": self.commit_failures,
        } | {outcome.value: self.outcomes[outcome.value] for outcome in Outcome}


class RebalanceGate:
    """Keeps a rebalance from splitting a batch.

    The worker holds the lock from "records fetched" to "offsets committed". The rebalance listener takes it
    before partitions move (so the in-flight batch finishes and commits first) and bumps ``generation``; a batch
    whose revocation won the race for the lock is discarded uncommitted, and the new owner (or this member,
    re-assigned) reads it again from the committed offsets.
    ``getmany`` itself is never called under the lock: it waits for a pending rebalance, which would deadlock.
    """

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.generation = 0

    async def revoke(self) -> None:
        async with self.lock:
            self.generation += 1


class Stopping(Exception):
    """Raised inside a retry loop when shutdown was requested; the batch is left uncommitted."""


class Worker:
    """Owns the batch loop; shares a ``RebalanceGate`` with the rebalance listener."""

    def __init__(
        self,
        *,
        source: Source,
        publisher: Publisher,
        pipeline: Pipeline,
        metrics: Metrics,
        readiness: Readiness,
        topics: TopicSettings,
        consumer: ConsumerSettings,
        runtime: RuntimeSettings,
        gate: RebalanceGate | None = None,
    ) -> None:
        self._source, self._publisher, self._pipeline = source, publisher, pipeline
        self._metrics, self._readiness = metrics, readiness
        self._topics, self._consumer, self._runtime = topics, consumer, runtime
        self.gate = gate or RebalanceGate()
        self.summary = Summary()

    async def run(self, stop: asyncio.Event, *, until_idle: bool = False) -> Summary:
        """Process batches until ``stop`` is set, or, with ``until_idle``, until every partition is read to its end."""
        self._readiness.set(Check.OUTPUTS_FLOWING, True)
        try:
            while not stop.is_set():
                records = await self._fetch(stop)
                generation = self.gate.generation  # records belong to the assignment current on return
                async with self.gate.lock:
                    if records and generation != self.gate.generation:
                        log.info("batch_discarded", why="partitions revoked after fetch", records=len(records))
                    elif records:
                        await self.process_batch(records, stop)
                if not records and until_idle and await self._drained():
                    break
        except Stopping as stopped:
            log.warning("batch_abandoned", action=str(stopped), why="shutdown requested while retrying")
        return self.summary

    async def _drained(self) -> bool:
        if not self._source.assignment() or not await self._source.caught_up():
            return False
        log.info("input_drained", partitions=len(self._source.assignment()))
        return True

    async def _fetch(self, stop: asyncio.Event) -> list[SourceRecord]:
        return await self._retrying(
            "fetch",
            stop,
            lambda: self._source.fetch(
                timeout_ms=self._consumer.fetch_timeout_ms, max_records=self._consumer.max_batch_records
            ),
        )

    async def process_batch(self, records: Sequence[SourceRecord], stop: asyncio.Event) -> None:
        """Process one batch with at-least-once delivery.

        Order, and why:
        1. run the pipeline over every record (bad input becomes a ``Rejected`` result, never an exception);
        2. publish every output and await every acknowledgement (retried with backoff; readiness false meanwhile);
        3. only then commit, per partition, the offset after the last record of the batch.
        A crash anywhere before 3 re-delivers the batch; outputs are pure functions of the input, so the
        re-published records are byte-identical. A rebalance waits for the whole sequence (``RebalanceGate``).
        """
        self.summary.batches += 1
        self._metrics.batch_size.observe(len(records))
        self._metrics.in_flight.inc(len(records))
        try:
            handled = await self._retrying("enrich", stop, lambda: self._pipeline.handle_batch(records))
            outputs = [output for _, output in handled]
            refused = await self._retrying("publish", stop, lambda: self._publisher.publish(outputs))
            for n in refused:
                handled[n] = await self._publish_refused(records[n], handled[n], stop)
            results = [result for result, _ in handled]
            for result, record in zip(results, records, strict=True):
                self._log_result(result, record)
            self._observe_published(results, records)
            await self._commit(records, stop)
        finally:
            self._metrics.in_flight.dec(len(records))

    async def _publish_refused(self, record: SourceRecord, handled: Handled, stop: asyncio.Event) -> Handled:
        """A record the broker refused as too large: sent again alone (a batch is refused whole), and if it is
        refused alone too, replaced by a rejected envelope that only references the input. A broker that
        refuses even that is misconfigured: that stops the service, loudly."""
        result, output = handled
        if not await self._retrying("publish", stop, lambda: self._publisher.publish([output])):
            return handled
        log.warning("output_refused", topic=record.topic, partition=record.partition, offset=record.offset,
                    size_bytes=output.size_bytes, output_topic=output.topic)  # fmt: skip
        replacement = self._pipeline.refused(record, result, output.size_bytes)
        if await self._retrying("publish", stop, lambda: self._publisher.publish([replacement[1]])):
            raise PublishFailed(
                f"the broker refused a {replacement[1].size_bytes}-byte rejected record that only references its "
                f"input; raise max.message.bytes on {replacement[1].topic}",
                retriable=False,
            )
        return replacement

    def _log_result(self, result: Result, record: SourceRecord) -> None:
        self._metrics.consumed.labels(topic=record.topic, partition=str(record.partition)).inc()
        with structlog.contextvars.bound_contextvars(
            topic=record.topic, partition=record.partition, offset=record.offset
        ):
            if isinstance(result, Rejected):
                envelope = result.envelope
                log.warning(
                    "message_rejected", reason=envelope.reason.value, stage=envelope.stage.value, detail=envelope.detail
                )
            else:
                log.debug(
                    "message_processed",
                    article_id=result.article.article_id,
                    status=result.article.dedup.status.value,
                    duplicate_of=result.article.dedup.duplicate_of,
                )

    def _observe_published(self, results: Sequence[Result], records: Sequence[SourceRecord]) -> None:
        now = datetime.now(UTC)
        for result, record in zip(results, records, strict=True):
            outcome, reason = _label(result)
            self._metrics.outcomes.labels(
                topic=record.topic, partition=str(record.partition), outcome=outcome.value, reason=reason
            ).inc()
            self.summary.outcomes[outcome.value] += 1
            if not isinstance(result, Rejected) and result.article.provenance.fetched_at is not None:
                delay = (now - result.article.provenance.fetched_at).total_seconds()
                self._metrics.end_to_end_latency.observe(max(delay, 0.0))
        self.summary.consumed += len(records)

    async def _commit(self, records: Sequence[SourceRecord], stop: asyncio.Event) -> None:
        next_offsets: dict[Partition, int] = {}
        for record in records:
            next_offsets[record.tp] = max(next_offsets.get(record.tp, 0), record.offset + 1)
        owned = self._source.assignment()
        offsets = {tp: offset for tp, offset in next_offsets.items() if tp in owned}
        try:
            await self._retrying("commit", stop, lambda: self._source.commit(offsets))
        except CommitFailed as error:
            self.summary.commit_failures += 1
            self._metrics.commit_failures.inc()
            log.warning("commit_abandoned", error=str(error), partitions=len(offsets))
            return
        self._metrics.commits.inc()
        for tp, offset in next_offsets.items():
            end = self._source.highwater(tp)
            if end is not None:
                self._metrics.consumer_lag.labels(topic=tp.topic, partition=str(tp.partition)).set(max(end - offset, 0))

    async def _retrying(self, action: str, stop: asyncio.Event, attempt: Callable[[], Awaitable[T]]) -> T:
        """Retry a retriable infrastructure failure with capped exponential backoff until it works or we stop."""
        delay = self._runtime.retry_initial_seconds
        failures = 0
        while True:
            try:
                result = await attempt()
            except InfrastructureError as error:
                if not error.retriable:
                    raise
                failures += 1
                self._count_failure(action, error)
                self._readiness.set(Check.OUTPUTS_FLOWING, False)
                log.warning(
                    "infrastructure_retrying",
                    action=action,
                    error=str(error),
                    failures=failures,
                    backoff_seconds=round(delay, 2),
                )
                if await _wait(stop, delay):
                    raise Stopping(action) from error
                delay = min(delay * 2, self._runtime.retry_max_seconds)
                continue
            if failures:
                log.info("infrastructure_recovered", action=action, failures=failures)
            self._readiness.set(Check.OUTPUTS_FLOWING, True)
            return result

    def _count_failure(self, action: str, error: InfrastructureError) -> None:
        if action != "publish":
            return
        timed_out = isinstance(error, PublishFailed) and error.timed_out
        kind = ProducerErrorKind.TIMEOUT if timed_out else ProducerErrorKind.BROKER
        self._metrics.producer_errors.labels(kind=kind.value).inc()


def _label(result: Result) -> tuple[Outcome, str]:
    reason = result.envelope.reason.value if isinstance(result, Rejected) else NO_REASON
    return result.outcome, reason


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep up to ``seconds``; True if ``stop`` was set meanwhile."""
    try:
        async with asyncio.timeout(seconds):
            await stop.wait()
    except TimeoutError:
        return False
    return True
