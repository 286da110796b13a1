"""A stream holding every hostile record found so far, through the real broker: one output per offset, no restart.

Each record of ``tests/hostile_cases.py`` sits between ordinary articles, plus one record that makes a stage
raise (a bug that input finds, simulated in the normalise stage). The service runs until its input is drained,
in process, once with the in-memory index and once with Redis; it must return normally (nothing made it exit or
retry forever), and every input offset must have exactly one output, of the kind its case expects.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import orjson
import pytest
from aiokafka import AIOKafkaProducer
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from news_ingest.app import serve
from news_ingest.codec import decode_enriched, decode_rejected
from news_ingest.config import Settings
from news_ingest.kafka import KafkaPublisher
from news_ingest.models import RejectReason, Stage
from news_ingest.normalise import stage as normalise_module
from news_ingest.records import OutputRecord
from news_ingest.redis_server import LocalRedis
from tests.hostile_cases import CASES
from tests.integration.conftest import read_outputs

pytestmark = pytest.mark.integration
CRASH = "CRASH-THE-NORMALISER"


def ordinary(n: int) -> bytes:
    body = f"Crews in Lowmere {n} rebuilt quay number {n} on Friday after the flood."
    return orjson.dumps({"url": f"https://calm.example/{n}", "title": f"Lowmere quay {n}", "body": body})


async def produce_keyed(settings: Settings, records: list[tuple[bytes | None, bytes]]) -> list[tuple[int, int]]:
    """Produce in order to one partition (a producer allowed the 3.5 MB hostile record)."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, linger_ms=5,
                                max_request_size=8 * 1024 * 1024)  # fmt: skip
    await producer.start()
    try:
        acks = [await producer.send(settings.topics.raw, key=key, value=value, partition=0) for key, value in records]
        written = await asyncio.gather(*acks)
    finally:
        await producer.stop()
    return [(meta.partition, meta.offset) for meta in written]


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_every_hostile_record_in_a_live_stream_gets_one_output_and_the_service_never_stops(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest, backend: str
) -> None:
    if backend == "redis":
        redis: LocalRedis = request.getfixturevalue("redis_server")
        shared = {"url": SecretStr(redis.url), "key_prefix": f"{settings.consumer.group_id}:{{dedup}}:"}
        settings = settings.model_copy(update={"redis": settings.redis.model_copy(update=shared)})
    settings = settings.model_copy(
        update={"limits": settings.limits.model_copy(update={"max_message_bytes": 1_000_000})}
    )
    real_drop_repeats = normalise_module.drop_repeats

    def drop_repeats(paragraphs: list[str], **options: Callable[[str], str]) -> list[str]:
        if any(CRASH in paragraph for paragraph in paragraphs):
            raise KeyError(CRASH)
        return real_drop_repeats(paragraphs, **options)

    monkeypatch.setattr(normalise_module, "drop_repeats", drop_repeats)
    stream: list[tuple[bytes | None, bytes]] = []
    expected: dict[int, object] = {}
    for n, case in enumerate(CASES):
        stream.append((None, ordinary(n)))
        expected[len(stream)] = case
        stream.append((case.key, case.value))
    expected[len(stream)] = "crash"
    stream += [
        (None, orjson.dumps({"url": "https://crash.example/1", "body": f"The report said {CRASH} twice."})),
        (None, ordinary(99)),
    ]
    written = await produce_keyed(settings, stream)

    summary = await serve(settings, until_idle=True, registry=CollectorRegistry())
    outputs = await read_outputs(settings, expected=len(stream))

    by_source = outputs.by_source()
    print(f"{backend}: inputs={len(stream)} consumed={summary.consumed} outputs={len(outputs.all)} "
          f"rejected={len(outputs.rejected)}")  # fmt: skip
    assert summary.consumed == len(stream), "the service drained its input and returned: it never stopped"
    assert sorted(by_source) == sorted(written), "every offset has an output"
    assert all(len(values) == 1 for values in by_source.values()), "and exactly one"
    for offset, case in expected.items():
        (value,) = by_source[(0, offset)]
        if case == "crash":
            envelope = decode_rejected(value)
            assert (envelope.reason, envelope.stage) == (RejectReason.PROCESSING_FAILED, Stage.NORMALISE)
            assert envelope.detail == "the normalise stage raised KeyError"
        elif case.reason is None:  # type: ignore[union-attr]
            assert case.check(decode_enriched(value)), case.name  # type: ignore[union-attr]
        else:
            envelope = decode_rejected(value)
            assert envelope.reason is case.reason, (case.name, envelope.detail)  # type: ignore[union-attr]
            assert case.check(envelope), case.name  # type: ignore[union-attr]
    ordinary_outputs = [by_source[(0, n)][0] for n in range(len(stream)) if n not in expected]
    assert all(decode_enriched(value).dedup.status.value == "unique" for value in ordinary_outputs)


async def test_the_producer_names_the_records_it_refuses_as_too_large_and_delivers_the_rest(
    settings: Settings,
) -> None:
    producer = settings.producer.model_copy(update={"max_request_bytes": 20_000})
    small = [OutputRecord(settings.topics.enriched, b"k", b"x" * 100, ()) for _ in range(3)]
    big = OutputRecord(settings.topics.enriched, b"k", b"y" * 30_000, ())
    async with KafkaPublisher(kafka=settings.kafka, producer=producer) as publisher:
        refused = await publisher.publish([small[0], big, small[1], small[2]])
    assert refused == [1]
    outputs = await read_outputs(settings, expected=3, timeout_seconds=10)
    assert sorted(len(record.value or b"") for record in outputs.enriched) == [100, 100, 100]
