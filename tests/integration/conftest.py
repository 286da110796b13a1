"""Integration fixtures: one real Tansu broker for the session, unique topics and group per test."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from prometheus_client import CollectorRegistry

from news_ingest.app import Running, serve
from news_ingest.broker import EmbeddedBroker
from news_ingest.config import Settings
from news_ingest.health import Check
from news_ingest.kafka import KafkaSource, consume_values, create_topics
from news_ingest.records import Partition, SourceRecord
from news_ingest.worker import Summary

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def broker() -> Iterator[EmbeddedBroker]:
    with EmbeddedBroker() as running:
        yield running


@pytest.fixture
async def settings(broker: EmbeddedBroker) -> Settings:
    suffix = uuid.uuid4().hex[:10]
    configured = Settings(
        kafka={"bootstrap_servers": broker.bootstrap_servers},  # type: ignore[arg-type]
        topics={  # type: ignore[arg-type]
            "raw": f"it.{suffix}.raw.v1",
            "enriched": f"it.{suffix}.enriched.v1",
            "duplicates": f"it.{suffix}.duplicates.v1",
            "rejected": f"it.{suffix}.rejected.v1",
            "create": True,
        },
        consumer={"group_id": f"it-{suffix}", "max_batch_records": 16},  # type: ignore[arg-type]
        http={"port": 0},  # type: ignore[arg-type]
        runtime={"broker_probe_interval_seconds": 1.0, "shutdown_timeout_seconds": 20.0},  # type: ignore[arg-type]
    )
    await create_topics(configured.kafka, configured.topics)
    return configured


def service_env(settings: Settings, **extra: str) -> dict[str, str]:
    """The environment of a service process with ``settings``' broker, topics, group and index."""
    env = {
        **os.environ,
        "NEWS_INGEST_KAFKA__BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers or "",
        "NEWS_INGEST_TOPICS__RAW": settings.topics.raw,
        "NEWS_INGEST_TOPICS__ENRICHED": settings.topics.enriched,
        "NEWS_INGEST_TOPICS__DUPLICATES": settings.topics.duplicates,
        "NEWS_INGEST_TOPICS__REJECTED": settings.topics.rejected,
        "NEWS_INGEST_CONSUMER__GROUP_ID": settings.consumer.group_id,
        "NEWS_INGEST_HTTP__PORT": "0",
        "NEWS_INGEST_LOG__FORMAT": "json",
        "NEWS_INGEST_LOG__LEVEL": "warning",
    }
    if settings.redis.url is not None:
        env["NEWS_INGEST_REDIS__URL"] = settings.redis.url.get_secret_value()
        env["NEWS_INGEST_REDIS__KEY_PREFIX"] = settings.redis.key_prefix
    return env | extra


async def produce(
    settings: Settings, values: Sequence[bytes | None], *, key: bytes | None = None
) -> list[tuple[int, int]]:
    """Produce raw values (None = tombstone); returns each one's (partition, offset) from the broker's acks."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, linger_ms=5)
    await producer.start()
    try:
        acks = [await producer.send(settings.topics.raw, value=value, key=key) for value in values]
        written = await asyncio.gather(*acks)
    finally:
        await producer.stop()
    return [(meta.partition, meta.offset) for meta in written]


async def committed(settings: Settings) -> dict[int, int]:
    """The group's committed offset per raw partition (0 where nothing was committed)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers, group_id=settings.consumer.group_id)
    await consumer.start()
    try:
        partitions = sorted(consumer.partitions_for_topic(settings.topics.raw) or ())
        return {p: (await consumer.committed(TopicPartition(settings.topics.raw, p))) or 0 for p in partitions}
    finally:
        await consumer.stop()


@dataclass
class Outputs:
    """Everything the service wrote on its three output topics."""

    enriched: list[SourceRecord] = field(default_factory=list)
    duplicates: list[SourceRecord] = field(default_factory=list)
    rejected: list[SourceRecord] = field(default_factory=list)

    @property
    def all(self) -> list[SourceRecord]:
        return [*self.enriched, *self.duplicates, *self.rejected]

    def by_source(self) -> dict[tuple[int, int], list[bytes]]:
        """(source partition, source offset) -> every value published for it."""
        seen: dict[tuple[int, int], list[bytes]] = {}
        for record in self.all:
            headers = dict(record.headers)
            where = (int(headers["source-partition"]), int(headers["source-offset"]))
            seen.setdefault(where, []).append(record.value or b"")
        return seen


async def read_outputs(settings: Settings, *, expected: int, timeout_seconds: float = 30.0) -> Outputs:
    """Read the three output topics from the beginning until ``expected`` records arrived (or time runs out)."""
    outputs = Outputs()
    sinks = {
        settings.topics.enriched: outputs.enriched,
        settings.topics.duplicates: outputs.duplicates,
        settings.topics.rejected: outputs.rejected,
    }

    async def drain(topic: str, sink: list[SourceRecord]) -> None:
        async for record in consume_values(settings.kafka, topic, from_beginning=True):
            sink.append(record)

    tasks = [asyncio.create_task(drain(topic, sink)) for topic, sink in sinks.items()]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_seconds
    while len(outputs.all) < expected and loop.time() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # anything beyond the expected count (a duplicate output) shows up too
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return outputs


async def crash_before_first_commit(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the service until its first batch is published and acknowledged, then kill it before the commit."""
    reached_commit = asyncio.Event()
    real_commit = KafkaSource.commit

    async def crash_before_commit(self: KafkaSource, offsets: Mapping[Partition, int]) -> None:
        reached_commit.set()
        await asyncio.Event().wait()  # the process "dies" here: outputs acknowledged, offsets not committed

    monkeypatch.setattr(KafkaSource, "commit", crash_before_commit)
    first = asyncio.create_task(serve(settings, registry=CollectorRegistry()))
    await asyncio.wait_for(reached_commit.wait(), 30)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    monkeypatch.setattr(KafkaSource, "commit", real_commit)


@dataclass
class Group:
    """Service instances running in one consumer group."""

    tasks: list[asyncio.Task[Summary]]
    stops: list[asyncio.Event]
    started: list[Running]

    def processed(self) -> int:
        return sum(sum(running.metrics.outcome_totals().values()) for running in self.started)

    async def stop(self) -> list[Summary]:
        for stop in self.stops:
            stop.set()
        return list(await asyncio.gather(*self.tasks))


async def start_group(settings: Settings, instances: int) -> Group:
    """Start ``instances`` services in the settings' group; return once each has partitions and the group settled."""
    group = Group(tasks=[], stops=[asyncio.Event() for _ in range(instances)], started=[])

    async def remember(running: Running) -> None:
        group.started.append(running)

    group.tasks = [
        asyncio.create_task(serve(settings, stop=stop, registry=CollectorRegistry(), on_started=remember))
        for stop in group.stops
    ]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 40
    while not (
        len(group.started) == instances
        and all(r.readiness.report()[Check.PARTITIONS_ASSIGNED.value] for r in group.started)
    ):
        assert loop.time() < deadline, "instances did not all get partitions"
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)  # let the group settle after the last join
    return group
