"""Composition root: builds every component from ``Settings`` and runs the service's lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import signal
import time
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from dataclasses import dataclass
from functools import cache
from typing import Any

import structlog
from prometheus_client import CollectorRegistry

from news_ingest import __version__
from news_ingest.broker import EmbeddedBroker
from news_ingest.config import (
    DedupSettings,
    ProducerSettings,
    RedisSettings,
    RuntimeSettings,
    Settings,
    TagSettings,
    TopicSettings,
)
from news_ingest.deduplicate.index import DedupIndex, Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from news_ingest.deduplicate.redis_index import RedisDedupIndex
from news_ingest.deduplicate.stage import Deduplicator
from news_ingest.errors import BrokerUnavailable, ConfigError, InfrastructureError
from news_ingest.health import Check, HealthServer, Liveness, Readiness
from news_ingest.kafka import KafkaPublisher, KafkaSource, create_topics, output_message_limit
from news_ingest.metrics import Metrics
from news_ingest.normalise.language import LanguageDetector
from news_ingest.normalise.stage import Normaliser
from news_ingest.pipeline import Pipeline
from news_ingest.places import Gazetteer
from news_ingest.records import Partition
from news_ingest.tag.entities import RuleExtractor
from news_ingest.tag.ner import ModelExtractor
from news_ingest.tag.regions import RegionTagger
from news_ingest.tag.stage import Tagger
from news_ingest.worker import RebalanceGate, Summary, Worker

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Running:
    """What a started service exposes to hooks (the demo feeder) and tests."""

    settings: Settings
    metrics: Metrics
    readiness: Readiness
    http_url: str
    stop: asyncio.Event


StartedHook = Callable[[Running], Coroutine[Any, Any, None]]


@cache
def shared_gazetteer() -> Gazetteer:
    return Gazetteer()  # half a second to build: once per process, shared by normalise and tag


def build_tagger(settings: TagSettings | None = None) -> Tagger:
    """The tag stage for ``settings.profile``; ``close()`` it to stop the NER worker processes."""
    settings = settings or TagSettings()
    regions = RegionTagger(shared_gazetteer(), min_salience=settings.min_country_salience)
    rules = RuleExtractor(regions)
    if settings.profile == "fast":
        return Tagger(regions, rules)
    extractor = ModelExtractor(rules, model=settings.ner_model, processes=settings.ner_processes,
                               max_chars=settings.ner_max_chars, batch_size=settings.ner_batch_size)  # fmt: skip
    return Tagger(regions, extractor)


def build_normaliser() -> Normaliser:
    """The normalise stage with its gazetteer and language model (about a second to load, once per process)."""
    return Normaliser(gazetteer=shared_gazetteer(), detect_language=LanguageDetector())


def build_index(dedup: DedupSettings) -> InMemoryDedupIndex:
    """The in-memory dedup index: the default for one replica, and the offline commands' index."""
    return InMemoryDedupIndex(Thresholds.from_settings(dedup))


async def open_index(dedup: DedupSettings, redis: RedisSettings, stack: AsyncExitStack) -> DedupIndex:
    """The shared Redis index when ``redis.url`` is set (closed with ``stack``), else the in-memory one."""
    if redis.url is None:
        log.info("dedup_index_selected", backend="memory", why="NEWS_INGEST_REDIS__URL unset: one replica only")
        return build_index(dedup)
    index = RedisDedupIndex(
        url=redis.url.get_secret_value(),
        thresholds=Thresholds.from_settings(dedup),
        key_prefix=redis.key_prefix,
        timeout_seconds=redis.timeout_seconds,
    )
    await stack.enter_async_context(index)
    log.info("dedup_index_selected", backend="redis", key_prefix=redis.key_prefix)
    return index


KAFKA_DEFAULT_MESSAGE_BYTES = 1_048_588  # a topic's max.message.bytes when neither topic nor broker sets one
_BATCH_FRAMING_BYTES = 512  # a record batch's own header and the record's framing


def record_limit(topics: TopicSettings, producer: ProducerSettings, topic_limit: int | None = None) -> int:
    """The largest output record (key, value, headers) both the producer and the output topics take."""
    topic = topics.max_message_bytes or topic_limit or KAFKA_DEFAULT_MESSAGE_BYTES
    return min(producer.max_request_bytes, topic) - _BATCH_FRAMING_BYTES


def build_pipeline(
    settings: Settings,
    metrics: Metrics,
    index: DedupIndex | None = None,
    tagger: Tagger | None = None,
    *,
    normaliser: Normaliser | None = None,
    deduplicator: Deduplicator | None = None,
    max_record_bytes: int | None = None,
) -> Pipeline:
    """The pipeline with its stage dependencies; shared by ``run``, ``process``, the benchmarks and the tests
    (which pass the stages they built once)."""
    return Pipeline(
        metrics=metrics,
        normalise=normaliser or build_normaliser(),
        deduplicate=deduplicator or Deduplicator(index=index or build_index(settings.dedup), settings=settings.dedup),
        tag=tagger or build_tagger(settings.tag),
        topics=settings.topics,
        max_message_bytes=settings.limits.max_message_bytes,
        max_record_bytes=max_record_bytes or record_limit(settings.topics, settings.producer),
        trace_headers=settings.runtime.trace_headers,
    )


async def serve(
    settings: Settings,
    *,
    until_idle: bool = False,
    stop: asyncio.Event | None = None,
    registry: CollectorRegistry | None = None,
    handle_signals: bool = False,
    on_started: StartedHook | None = None,
) -> Summary:
    """Run the service until ``stop`` (or SIGTERM/SIGINT) or, with ``until_idle``, until the input is drained.

    Start: the broker (embedded when none is configured) and topics -> the HTTP endpoint -> the producer ->
    the consumer group -> the stages and the dedup index -> the worker. Shutdown: stop fetching -> finish the
    in-flight batch (publish, ack, commit) -> flush the producer -> leave the group -> one summary log line,
    bounded by ``shutdown_timeout_seconds``.
    """
    stop = stop or asyncio.Event()
    asyncio.get_running_loop().set_exception_handler(_log_loop_error)
    metrics = Metrics(registry or CollectorRegistry())
    readiness = Readiness(metrics)
    async with AsyncExitStack() as stack:
        settings = await _connect(settings, stack)
        http = await stack.enter_async_context(
            HealthServer(
                host=settings.http.host,
                port=settings.http.port,
                metrics=metrics,
                readiness=readiness,
                liveness=Liveness(),
            )
        )
        publisher = await stack.enter_async_context(KafkaPublisher(kafka=settings.kafka, producer=settings.producer))
        readiness.set(Check.PRODUCER_STARTED, True)
        gate = RebalanceGate()
        deduplicators: list[Deduplicator] = []  # told each assignment: new partitions hold the watermark
        source = await _join_group(settings, gate, metrics, readiness, stack, deduplicators=deduplicators)
        index, worker, deduplicator = await _build_worker(
            settings, stack, source=source, publisher=publisher, gate=gate, metrics=metrics, readiness=readiness
        )
        deduplicators.append(deduplicator)
        deduplicator.expect(sorted(f"{tp.topic}/{tp.partition}" for tp in source.assignment()))  # if given already
        _announce(deduplicator)
        if handle_signals:
            _stop_on_signals(stop)
        settle_heap(settings.runtime)
        log.info("service_started", version=__version__, group_id=settings.consumer.group_id,
                 input_topic=settings.topics.raw, bootstrap_servers=settings.kafka.bootstrap_servers,
                 metrics_url=f"{http.url}/metrics", until_idle=until_idle)  # fmt: skip
        background = [
            asyncio.create_task(_probe_broker(source, readiness, settings.runtime), name="broker-probe"),
            asyncio.create_task(_report_progress(metrics, settings.runtime), name="progress"),
            asyncio.create_task(_probe_index(index, readiness, metrics, settings.runtime), name="index-probe"),
        ]
        if on_started is not None:
            running = Running(settings, metrics, readiness, http.url, stop)
            background.append(asyncio.create_task(on_started(running), name="on-started"))
        try:
            summary = await _run_bounded(worker, stop, settings.runtime, until_idle=until_idle)
        finally:
            for task in background:
                task.cancel()
            await asyncio.wait(background, timeout=settings.runtime.shutdown_timeout_seconds)
            readiness.set(Check.PRODUCER_STARTED, False)
    log.info("service_stopped", **summary.as_log(), stage_mean_us=metrics.stage_means_us())
    return summary


async def _connect(settings: Settings, stack: AsyncExitStack) -> Settings:
    """The settings pointed at the cluster: the embedded broker, started with ``stack``, when none is set;
    the topics created when embedded or asked to."""
    if not settings.embedded and not settings.kafka.bootstrap_servers:
        raise ConfigError(
            "no Kafka cluster set: set NEWS_INGEST_KAFKA__BOOTSTRAP_SERVERS=host:port, or ask for the embedded "
            "memory-only broker with `run --demo` or NEWS_INGEST_KAFKA__EMBEDDED=true"
        )
    if settings.embedded:
        log.warning("embedded_broker", detail="memory-only Tansu broker: every record is lost when it stops")
        broker = stack.enter_context(EmbeddedBroker())
        kafka = settings.kafka.model_copy(update={"bootstrap_servers": broker.bootstrap_servers})
        settings = settings.model_copy(update={"kafka": kafka})
        await create_topics(settings.kafka, settings.topics)
    elif settings.topics.create:
        await create_topics(settings.kafka, settings.topics)
    return settings


async def _join_group(
    settings: Settings,
    gate: RebalanceGate,
    metrics: Metrics,
    readiness: Readiness,
    stack: AsyncExitStack,
    *,
    deduplicators: list[Deduplicator],
) -> KafkaSource:
    """The consumer-group member; readiness, the lag series and the dedup watermark follow its assignment."""

    def assigned(partitions: frozenset[Partition]) -> None:
        readiness.set(Check.PARTITIONS_ASSIGNED, bool(partitions))
        for deduplicator in deduplicators:
            deduplicator.expect(sorted(f"{tp.topic}/{tp.partition}" for tp in partitions))
            _announce(deduplicator)
        for tp in partitions:
            metrics.partition_assigned(tp.topic, tp.partition)
        metrics.lag_only_for({(tp.topic, tp.partition) for tp in partitions})
        if settings.redis.url is None:
            _check_index_covers_group(partitions, source.partition_count(), readiness)

    readiness.set(Check.INDEX_COVERS_GROUP, True)  # shared index, or until an assignment shows a share
    source = KafkaSource(kafka=settings.kafka, topics=settings.topics, consumer=settings.consumer,
                         before_revoke=gate.revoke, on_assigned=assigned)  # fmt: skip
    return await stack.enter_async_context(source)


_ANNOUNCING: set[asyncio.Task[None]] = set()  # referenced until done (the loop keeps only weak references)


def _announce(deduplicator: Deduplicator) -> None:
    """Tell the dedup index about new partitions now, not at this replica's first batch: a replica whose
    partitions have nothing to read yet must still hold the group's watermark. A failure is only logged: the
    partitions stay pending and are told again before the next batch."""

    async def announce() -> None:
        try:
            await deduplicator.announce()
        except InfrastructureError as error:
            log.warning("partitions_not_announced", error=str(error))

    task = asyncio.get_running_loop().create_task(announce(), name="announce-partitions")
    _ANNOUNCING.add(task)
    task.add_done_callback(_ANNOUNCING.discard)


async def _build_worker(
    settings: Settings,
    stack: AsyncExitStack,
    *,
    source: KafkaSource,
    publisher: KafkaPublisher,
    gate: RebalanceGate,
    metrics: Metrics,
    readiness: Readiness,
) -> tuple[DedupIndex, Worker, Deduplicator]:
    """The stages (the NER model loads now: a missing model fails at start-up), the dedup index, the output
    size limit, and the worker that runs them."""
    tagger = build_tagger(settings.tag)
    stack.callback(tagger.close)
    index = await open_index(settings.dedup, settings.redis, stack)
    max_record_bytes = await _output_record_limit(settings)
    deduplicator = Deduplicator(index=index, settings=settings.dedup)
    pipeline = build_pipeline(settings, metrics, tagger=tagger, deduplicator=deduplicator,
                              max_record_bytes=max_record_bytes)  # fmt: skip
    worker = Worker(
        source=source,
        publisher=publisher,
        pipeline=pipeline,
        metrics=metrics,
        readiness=readiness,
        topics=settings.topics,
        consumer=settings.consumer,
        runtime=settings.runtime,
        gate=gate,
    )
    return index, worker, deduplicator


async def _output_record_limit(settings: Settings) -> int:
    """``record_limit`` with the output topics' own limit read from the broker unless it is set."""
    reported = None
    if settings.topics.max_message_bytes is None:
        try:
            reported = await output_message_limit(settings.kafka, settings.topics)
        except BrokerUnavailable as error:
            log.warning("topic_limit_unread", error=str(error), assumed=KAFKA_DEFAULT_MESSAGE_BYTES)
    limit = record_limit(settings.topics, settings.producer, reported)
    log.info("output_record_limit", max_record_bytes=limit, topic_reported=reported,
             topic_set=settings.topics.max_message_bytes,
             producer_max_request_bytes=settings.producer.max_request_bytes)  # fmt: skip
    return limit


def settle_heap(runtime: RuntimeSettings) -> None:
    """Once everything is built: move the start-up heap (gazetteer, automata, word tables, the model) out of the
    cycle collector's sight for good, and let the young generation grow to ``gc_young_threshold`` objects
    between collections. A batch builds tens of thousands of short-lived objects: with Python's defaults the
    collector runs hundreds of times per batch and re-walks the start-up heap each time (docs/performance.md
    has the figures). Reference cycles are still collected, just in larger, rarer sweeps."""
    gc.collect()
    gc.freeze()
    if runtime.gc_young_threshold:
        _, middle, oldest = gc.get_threshold()
        gc.set_threshold(runtime.gc_young_threshold, middle, oldest)


async def _run_bounded(worker: Worker, stop: asyncio.Event, runtime: RuntimeSettings, *, until_idle: bool) -> Summary:
    """Await the worker; once stop is requested, give it ``shutdown_timeout_seconds`` to finish its batch."""
    worker_task = asyncio.create_task(worker.run(stop, until_idle=until_idle), name="worker")
    stop_task = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({worker_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
        if not worker_task.done():
            log.info("shutdown_started", timeout_seconds=runtime.shutdown_timeout_seconds)
            done, _ = await asyncio.wait({worker_task}, timeout=runtime.shutdown_timeout_seconds)
            if not done:
                log.error("shutdown_timed_out", why="in-flight batch left uncommitted; it will be re-processed")
                worker_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await worker_task
                return worker.summary
        return worker_task.result()
    finally:
        stop_task.cancel()


def _check_index_covers_group(partitions: frozenset[Partition], total: int, readiness: Readiness) -> None:
    """An in-memory index held by a member that owns only some input partitions: other replicas run in the
    group with their own indexes, and copies arriving on their partitions are never compared with these."""
    covers = not partitions or len(partitions) >= total
    readiness.set(Check.INDEX_COVERS_GROUP, covers)
    if not covers:
        log.warning("in_memory_index_shared_group", owned_partitions=len(partitions), input_partitions=total,
                    fix="several replicas need the shared index: set NEWS_INGEST_REDIS__URL")  # fmt: skip


async def _report_progress(metrics: Metrics, runtime: RuntimeSettings) -> None:
    """One ``progress`` line per interval while records flow: rate, outcomes so far, lag left."""
    last, last_at = 0, time.monotonic()
    while True:
        await asyncio.sleep(runtime.progress_interval_seconds)
        totals, now = metrics.outcome_totals(), time.monotonic()
        done = sum(totals.values())
        if done != last:
            log.info("progress", processed=done, per_second=round((done - last) / (now - last_at), 1),
                     lag=metrics.total_lag(), **dict(sorted(totals.items())))  # fmt: skip
        last, last_at = done, now


async def _probe_broker(source: KafkaSource, readiness: Readiness, runtime: RuntimeSettings) -> None:
    """Readiness follows whether the cluster answers a metadata request."""
    while True:
        try:
            # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancel that races completion.
            async with asyncio.timeout(runtime.broker_probe_timeout_seconds):
                await source.probe()
        except (BrokerUnavailable, TimeoutError) as error:
            readiness.set(Check.BROKER_REACHABLE, False)
            log.warning("broker_unreachable", error=str(error) or type(error).__name__)
        else:
            readiness.set(Check.BROKER_REACHABLE, True)
        await asyncio.sleep(runtime.broker_probe_interval_seconds)


async def _probe_index(index: DedupIndex, readiness: Readiness, metrics: Metrics, runtime: RuntimeSettings) -> None:
    """Readiness follows whether the dedup index answers; its size and watermark are exported as gauges."""
    while True:
        try:
            async with asyncio.timeout(runtime.broker_probe_timeout_seconds):
                await index.ping()
                entries, held, watermark = await index.size(), await index.memory_bytes(), await index.watermark()
        except (InfrastructureError, TimeoutError) as error:
            readiness.set(Check.DEDUP_INDEX_REACHABLE, False)
            log.warning("dedup_index_unreachable", error=str(error) or type(error).__name__)
        else:
            readiness.set(Check.DEDUP_INDEX_REACHABLE, True)
            metrics.dedup_index_entries.set(entries)
            metrics.dedup_index_bytes.set(held)
            metrics.dedup_index_bytes_per_article.set(round(held / entries) if entries else 0)
            metrics.dedup_watermark.set(watermark if math.isfinite(watermark) else math.nan)
        await asyncio.sleep(runtime.broker_probe_interval_seconds)


def _log_loop_error(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """What asyncio would print as plain text (an exception no task awaited), as one structured log line."""
    error = context.get("exception")
    log.error(
        "event_loop_error",
        message=context.get("message"),
        error_type=type(error).__name__ if error else None,
        error=str(error)[:200] if error else None,
    )


def _stop_on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, _request_stop, stop, signum)


def _request_stop(stop: asyncio.Event, signum: int) -> None:
    log.info("signal_received", signal=signal.Signals(signum).name)
    stop.set()
