"""The batch loop with in-memory twins: publish -> ack -> commit, retries, the ledger."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from prometheus_client import CollectorRegistry

from news_ingest.config import ConsumerSettings, RuntimeSettings, TopicSettings
from news_ingest.errors import CommitFailed, PublishFailed
from news_ingest.health import Check, Readiness
from news_ingest.memory import InMemoryPublisher, InMemorySource
from news_ingest.metrics import Metrics
from news_ingest.normalise.stage import Normaliser
from news_ingest.records import OutputRecord, Partition, SourceRecord
from news_ingest.worker import Worker
from tests.conftest import make_pipeline

TOPICS = TopicSettings()
FAST_RETRY = RuntimeSettings(retry_initial_seconds=0.01, retry_max_seconds=0.02)


def records(count: int, *, partitions: int = 2) -> list[SourceRecord]:
    out = []
    for index in range(count):
        partition = index % partitions
        value = b'{"url": "https://a.example/%d", "body": "Story %d."}' % (index, index)
        if index % 5 == 4:
            value = b"not json"
        out.append(
            SourceRecord(topic=TOPICS.raw, partition=partition, offset=index // partitions, key=None, value=value)
        )
    return out


class FlakyPublisher(InMemoryPublisher):
    """Fails the first ``failures`` publish calls, then works; records what it was asked to publish."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures
        self.attempts = 0

    async def publish(self, records: Sequence[OutputRecord]) -> list[int]:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise PublishFailed("broker said no", timed_out=True)
        return await super().publish(records)


class RefusingCommits(InMemorySource):
    async def commit(self, offsets: dict[Partition, int]) -> None:  # type: ignore[override]
        raise CommitFailed("group rebalanced", retriable=False)


def make(
    source: InMemorySource, publisher: InMemoryPublisher, registry: CollectorRegistry, normaliser: Normaliser
) -> tuple[Worker, Readiness]:
    metrics = Metrics(registry)
    readiness = Readiness(metrics)
    pipeline = make_pipeline(normaliser, metrics=metrics)
    worker = Worker(
        source=source,
        publisher=publisher,
        pipeline=pipeline,
        metrics=metrics,
        readiness=readiness,
        topics=TOPICS,
        consumer=ConsumerSettings(max_batch_records=7),
        runtime=FAST_RETRY,
    )
    return worker, readiness


async def test_every_record_is_published_once_and_offsets_committed_after(normaliser: Normaliser) -> None:
    source, publisher, registry = InMemorySource(records(20)), InMemoryPublisher(), CollectorRegistry()
    worker, _ = make(source, publisher, registry, normaliser)
    summary = await worker.run(asyncio.Event(), until_idle=True)
    assert len(publisher.records) == 20
    sources = sorted((dict(r.headers)["source-partition"], dict(r.headers)["source-offset"]) for r in publisher.records)
    assert len(set(sources)) == 20
    assert source.committed == {Partition(TOPICS.raw, 0): 10, Partition(TOPICS.raw, 1): 10}
    assert summary.consumed == 20
    assert summary.outcomes == {"enriched": 16, "rejected": 4}


async def test_outcome_counters_sum_to_consumed_per_partition(normaliser: Normaliser) -> None:
    source, registry = InMemorySource(records(20)), CollectorRegistry()
    worker, _ = make(source, InMemoryPublisher(), registry, normaliser)
    await worker.run(asyncio.Event(), until_idle=True)
    for partition in ("0", "1"):
        labels = {"topic": TOPICS.raw, "partition": partition}
        consumed = registry.get_sample_value("news_ingest_messages_consumed_total", labels)
        enriched = registry.get_sample_value(
            "news_ingest_messages_outcome_total", {**labels, "outcome": "enriched", "reason": "none"}
        )
        rejected = registry.get_sample_value(
            "news_ingest_messages_outcome_total", {**labels, "outcome": "rejected", "reason": "invalid_json"}
        )
        assert consumed == 10
        assert enriched is not None
        assert rejected is not None
        assert enriched + rejected == consumed


async def test_publish_failure_is_retried_and_commit_waits_for_success(normaliser: Normaliser) -> None:
    source, publisher, registry = InMemorySource(records(5)), FlakyPublisher(failures=2), CollectorRegistry()
    worker, readiness = make(source, publisher, registry, normaliser)
    await worker.run(asyncio.Event(), until_idle=True)
    assert publisher.attempts == 3
    assert len(publisher.records) == 5
    assert source.committed == {Partition(TOPICS.raw, 0): 3, Partition(TOPICS.raw, 1): 2}
    assert registry.get_sample_value("news_ingest_producer_errors_total", {"kind": "timeout"}) == 2
    assert readiness.report()[Check.OUTPUTS_FLOWING.value] is True


async def test_stop_during_publish_retries_leaves_the_batch_uncommitted(normaliser: Normaliser) -> None:
    source, publisher = InMemorySource(records(5)), FlakyPublisher(failures=10_000)
    worker, readiness = make(source, publisher, CollectorRegistry(), normaliser)
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(0.1, stop.set)
    await worker.run(stop)
    assert publisher.records == []
    assert source.committed == {}
    assert readiness.report()[Check.OUTPUTS_FLOWING.value] is False


async def test_commit_rejected_by_the_group_is_counted_and_processing_goes_on(normaliser: Normaliser) -> None:
    source, publisher, registry = RefusingCommits(records(14)), InMemoryPublisher(), CollectorRegistry()
    worker, _ = make(source, publisher, registry, normaliser)
    summary = await worker.run(asyncio.Event(), until_idle=True)
    assert len(publisher.records) == 14
    assert summary.commit_failures == 2
    assert registry.get_sample_value("news_ingest_commit_failures_total") == 2


async def test_a_batch_is_never_split_by_a_revocation(normaliser: Normaliser) -> None:
    source, publisher = InMemorySource(records(7)), InMemoryPublisher()
    worker, _ = make(source, publisher, CollectorRegistry(), normaliser)
    await worker.gate.lock.acquire()  # a revocation in progress holds the gate
    run = asyncio.create_task(worker.run(asyncio.Event(), until_idle=True))
    await asyncio.sleep(0.05)
    assert publisher.records == []  # fetched, but waiting for the revocation to finish
    worker.gate.generation += 1
    worker.gate.lock.release()
    summary = await run
    assert publisher.records == []  # discarded: the new owner re-reads it from the committed offsets
    assert source.committed == {}
    assert summary.consumed == 0
