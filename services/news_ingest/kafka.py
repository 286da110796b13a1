"""Kafka edge: the aiokafka consumer, producer and admin calls; the only module that imports aiokafka."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType
from aiokafka.errors import (
    CommitFailedError,
    IllegalStateError,
    KafkaError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    TopicAlreadyExistsError,
)

from news_ingest.config import ConsumerSettings, KafkaSettings, ProducerSettings, TopicSettings
from news_ingest.errors import BrokerUnavailable, CommitFailed, PublishFailed, TopicMissing
from news_ingest.records import OutputRecord, Partition, SourceRecord

log = structlog.get_logger(__name__)
T = TypeVar("T")
PartitionsChanged = Callable[[frozenset[Partition]], None]


def client_options(kafka: KafkaSettings) -> dict[str, Any]:
    """Connection and security options shared by consumer, producer and admin client."""
    options: dict[str, Any] = {
        "bootstrap_servers": kafka.bootstrap_servers,
        "client_id": kafka.client_id,
        "security_protocol": kafka.security_protocol,
        "request_timeout_ms": kafka.request_timeout_ms,
        "retry_backoff_ms": kafka.retry_backoff_ms,
    }
    if kafka.sasl_mechanism:
        options["sasl_mechanism"] = kafka.sasl_mechanism
        options["sasl_plain_username"] = kafka.sasl_username
        options["sasl_plain_password"] = kafka.sasl_password.get_secret_value() if kafka.sasl_password else None
    if kafka.security_protocol in ("SSL", "SASL_SSL"):
        from aiokafka.helpers import create_ssl_context  # noqa: PLC0415 - only TLS deployments need it

        options["ssl_context"] = create_ssl_context(
            cafile=kafka.ssl_cafile,
            certfile=kafka.ssl_certfile,
            keyfile=kafka.ssl_keyfile,
            password=kafka.ssl_key_password.get_secret_value() if kafka.ssl_key_password else None,
        )
    return options


async def create_topics(kafka: KafkaSettings, topics: TopicSettings) -> list[str]:
    """Create the input and output topics that do not exist yet; returns the names created."""
    admin = AIOKafkaAdminClient(**client_options(kafka))
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [topics.raw, topics.enriched, topics.duplicates, topics.rejected]
        missing = [name for name in wanted if name not in existing]
        if missing:
            try:
                await admin.create_topics(
                    [NewTopic(name, topics.partitions, topics.replication_factor) for name in missing]
                )
            except TopicAlreadyExistsError:
                log.info("topics_raced", topics=missing)  # another replica created them first
        log.info("topics_ready", created=missing, partitions=topics.partitions)
        return missing
    finally:
        await admin.close()


async def output_message_limit(kafka: KafkaSettings, topics: TopicSettings) -> int | None:
    """The smallest ``max.message.bytes`` the output topics report, or ``None`` when none reports one (Tansu
    answers DescribeConfigs with no entries)."""
    admin = AIOKafkaAdminClient(**client_options(kafka))
    await _started("admin start", admin, kafka)
    try:
        names = [topics.enriched, topics.duplicates, topics.rejected]
        # every config, filtered here: Tansu drops the connection when the request names the configs it wants
        wanted = [ConfigResource(ConfigResourceType.TOPIC, name, configs=None) for name in names]
        responses = await _guard("describe configs", admin.describe_configs(wanted))
    finally:
        await admin.close()
    limits = [
        int(entry[1])
        for response in responses
        for resource in response.resources
        if resource[0] == 0
        for entry in resource[4]
        if entry[0] == "max.message.bytes" and str(entry[1]).isdigit()
    ]
    return min(limits) if limits else None


class _Rebalance(ConsumerRebalanceListener):  # type: ignore[misc]
    """Lets the in-flight batch finish (publish, ack, commit) before partitions move."""

    def __init__(self, before_revoke: Callable[[], Awaitable[None]], on_assigned: PartitionsChanged) -> None:
        self._before_revoke = before_revoke
        self._on_assigned = on_assigned

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        await self._before_revoke()  # returns once the in-flight batch is published and committed
        log.info("partitions_revoked", partitions=_names(revoked))

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        partitions = _ours(assigned)
        self._on_assigned(partitions)
        log.info("partitions_assigned", partitions=_names(assigned))


class KafkaSource:
    """A consumer-group member on the raw topic with manual commits (``enable_auto_commit=False``)."""

    def __init__(
        self,
        *,
        kafka: KafkaSettings,
        topics: TopicSettings,
        consumer: ConsumerSettings,
        before_revoke: Callable[[], Awaitable[None]],
        on_assigned: PartitionsChanged,
    ) -> None:
        self._topic = topics.raw
        self._kafka = kafka
        self._consumer = AIOKafkaConsumer(
            **client_options(kafka),
            group_id=consumer.group_id,
            enable_auto_commit=False,
            auto_offset_reset=consumer.auto_offset_reset,
            session_timeout_ms=consumer.session_timeout_ms,
            heartbeat_interval_ms=consumer.heartbeat_interval_ms,
            max_poll_interval_ms=consumer.max_poll_interval_ms,
            max_partition_fetch_bytes=consumer.max_partition_fetch_bytes,
        )
        self._listener = _Rebalance(before_revoke, on_assigned)

    async def __aenter__(self) -> KafkaSource:
        await _started("consumer start", self._consumer, self._kafka)
        self._consumer.subscribe([self._topic], listener=self._listener)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._consumer.stop()

    def partition_count(self) -> int:
        """Partitions of the input topic, from the metadata the member holds."""
        return len(self._consumer.partitions_for_topic(self._topic) or ())

    async def fetch(self, *, timeout_ms: int, max_records: int) -> list[SourceRecord]:
        batches = await _guard("fetch", self._consumer.getmany(timeout_ms=timeout_ms, max_records=max_records))
        return [
            SourceRecord(
                topic=message.topic,
                partition=message.partition,
                offset=message.offset,
                key=message.key,
                value=message.value,
                headers=tuple(message.headers or ()),
                timestamp_ms=message.timestamp,
            )
            for messages in batches.values()
            for message in messages
        ]

    async def commit(self, offsets: Mapping[Partition, int]) -> None:
        if not offsets:
            return
        try:
            await self._consumer.commit({TopicPartition(tp.topic, tp.partition): o for tp, o in offsets.items()})
        except (CommitFailedError, IllegalStateError) as error:
            raise CommitFailed(f"{type(error).__name__}: {error}", retriable=False) from error
        except KafkaError as error:
            raise CommitFailed(f"{type(error).__name__}: {error}", retriable=error.retriable) from error

    def assignment(self) -> frozenset[Partition]:
        return _ours(self._consumer.assignment())

    def highwater(self, tp: Partition) -> int | None:
        value = self._consumer.highwater(TopicPartition(tp.topic, tp.partition))
        return int(value) if value is not None else None

    async def caught_up(self) -> bool:
        assigned = [TopicPartition(tp.topic, tp.partition) for tp in self.assignment()]
        if not assigned:
            return False
        ends = await _guard("end offsets", self._consumer.end_offsets(assigned))
        for tp in assigned:
            if await self._consumer.position(tp) < ends[tp]:
                return False
        return True

    async def probe(self) -> None:
        await _guard("metadata probe", self._consumer.topics())


class KafkaPublisher:
    """The producer for all three output topics; ``publish`` returns once every record is acknowledged."""

    def __init__(self, *, kafka: KafkaSettings, producer: ProducerSettings) -> None:
        self._kafka = kafka
        self._producer = AIOKafkaProducer(
            **client_options(kafka),
            acks="all" if producer.acks == "all" else int(producer.acks),
            compression_type=producer.compression_type,
            linger_ms=producer.linger_ms,
            max_batch_size=producer.max_batch_bytes,
            max_request_size=producer.max_request_bytes,
            enable_idempotence=producer.enable_idempotence,
        )

    async def __aenter__(self) -> KafkaPublisher:
        await _started("producer start", self._producer, self._kafka)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._producer.stop()  # flushes what is still buffered

    async def publish(self, records: Sequence[OutputRecord]) -> list[int]:
        """Send all and await every ack; returns the positions of records refused as too large (by this
        producer's ``max_request_size`` or by the broker: a batch refused whole names each of its records)."""
        refused: list[int] = []
        try:
            acks: list[tuple[int, asyncio.Future[Any]]] = []
            for n, r in enumerate(records):
                try:
                    acks.append((n, await self._producer.send(r.topic, value=r.value, key=r.key,
                                                              headers=list(r.headers))))  # fmt: skip
                except _TOO_LARGE:
                    refused.append(n)
            outcomes = await asyncio.gather(*(ack for _, ack in acks), return_exceptions=True)
        except KafkaTimeoutError as error:
            raise PublishFailed(f"timed out: {error}", timed_out=True) from error
        except KafkaError as error:
            raise PublishFailed(f"{type(error).__name__}: {error}", retriable=error.retriable) from error
        for (n, _), outcome in zip(acks, outcomes, strict=True):
            if isinstance(outcome, _TOO_LARGE):
                refused.append(n)
            elif isinstance(outcome, KafkaTimeoutError):
                raise PublishFailed(f"timed out: {outcome}", timed_out=True) from outcome
            elif isinstance(outcome, KafkaError):
                raise PublishFailed(f"{type(outcome).__name__}: {outcome}", retriable=outcome.retriable) from outcome
            elif isinstance(outcome, BaseException):
                raise outcome
        return sorted(refused)


_TOO_LARGE = (MessageSizeTooLargeError, RecordListTooLargeError)


async def _started(action: str, client: AIOKafkaConsumer | AIOKafkaProducer | AIOKafkaAdminClient,
                   kafka: KafkaSettings) -> None:  # fmt: skip
    """Start a client; when the cluster cannot be reached, close it (no "Unclosed AIOKafkaProducer" later)
    and raise one readable error naming the servers."""
    try:
        await client.start()
    except KafkaError as error:
        with contextlib.suppress(Exception):
            await (client.close() if isinstance(client, AIOKafkaAdminClient) else client.stop())
        raise BrokerUnavailable(
            f"cannot reach the Kafka cluster at {kafka.bootstrap_servers} ({action}: {type(error).__name__})",
            retriable=True,
        ) from error


async def _guard(action: str, call: Awaitable[T]) -> T:
    try:
        return await call
    except KafkaError as error:
        raise BrokerUnavailable(f"{action} failed: {type(error).__name__}: {error}", retriable=True) from error


def _ours(partitions: set[TopicPartition] | frozenset[TopicPartition]) -> frozenset[Partition]:
    return frozenset(Partition(tp.topic, tp.partition) for tp in partitions)


async def produce_values(
    kafka: KafkaSettings,
    topic: str,
    values: Sequence[bytes],
    *,
    rate: float = 0.0,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Publish raw values to ``topic`` (``replay`` and the demo), optionally rate-limited, awaiting every ack."""
    producer = AIOKafkaProducer(**client_options(kafka), linger_ms=5, enable_idempotence=False)
    await _started("producer start", producer, kafka)
    started = asyncio.get_running_loop().time()
    try:
        acks = []
        for sent, value in enumerate(values, start=1):
            acks.append(await producer.send(topic, value=value))
            if rate > 0:
                ahead = sent / rate - (asyncio.get_running_loop().time() - started)
                if ahead > 0:
                    await asyncio.sleep(ahead)
            if progress is not None:
                progress(sent)
        await asyncio.gather(*acks)
    except KafkaError as error:
        raise PublishFailed(f"{type(error).__name__}: {error}", retriable=error.retriable) from error
    finally:
        await producer.stop()


async def consume_values(
    kafka: KafkaSettings, topic: str, *, from_beginning: bool, limit: int = 0, until_idle: bool = False
) -> AsyncIterator[SourceRecord]:
    """Read ``topic`` without a consumer group (``tail``): every partition, nothing committed. With
    ``until_idle`` it stops at the end offsets it found when it started; a topic the cluster does not have is
    a :class:`TopicMissing` error, not a silent wait."""
    consumer = AIOKafkaConsumer(**client_options(kafka), group_id=None, enable_auto_commit=False)
    await _started("consumer start", consumer, kafka)
    seen = 0
    try:
        if topic not in await _guard("list topics", consumer.topics()):
            raise TopicMissing(f"topic {topic} does not exist on {kafka.bootstrap_servers}")
        partitions = [TopicPartition(topic, number) for number in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(partitions)
        if from_beginning:
            await consumer.seek_to_beginning(*partitions)
        else:
            await consumer.seek_to_end(*partitions)
        ends = await _guard("end offsets", consumer.end_offsets(partitions)) if until_idle else {}
        while True:
            if until_idle:
                positions = [await consumer.position(tp) for tp in ends]
                if all(position >= end for position, end in zip(positions, ends.values(), strict=True)):
                    return
            batches = await _guard("fetch", consumer.getmany(timeout_ms=500))
            for message in (message for batch in batches.values() for message in batch):
                yield SourceRecord(
                    topic=message.topic,
                    partition=message.partition,
                    offset=message.offset,
                    key=message.key,
                    value=message.value,
                    headers=tuple(message.headers or ()),
                    timestamp_ms=message.timestamp,
                )
                seen += 1
                if limit and seen >= limit:
                    return
    finally:
        await consumer.stop()


def _names(partitions: set[TopicPartition]) -> list[str]:
    return sorted(f"{tp.topic}[{tp.partition}]" for tp in partitions)
