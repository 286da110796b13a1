"""A poison record anywhere in a batch is rejected alone; a slow downstream holds at most one batch in flight."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import orjson
import pytest
from prometheus_client import CollectorRegistry

from news_ingest.config import ConsumerSettings, TopicSettings
from news_ingest.health import Readiness
from news_ingest.memory import InMemoryPublisher, InMemorySource
from news_ingest.metrics import Metrics
from news_ingest.models import RejectReason
from news_ingest.normalise.stage import Normaliser
from news_ingest.records import OutputRecord, Rejected, SourceRecord
from news_ingest.worker import Worker
from tests.conftest import make_pipeline
from tests.unit.test_worker import FAST_RETRY

TOPICS = TopicSettings()
NEIGHBOURS = [
    orjson.dumps({"url": f"https://poison.example/{n}", "title": f"Harbour works {n}",
                  "body": f"Dockers in Portmere {n} began repairing the harbour wall on Monday after the storm."})
    for n in range(8)
]  # fmt: skip
POISONS = {
    RejectReason.NULL_VALUE: None,
    RejectReason.INVALID_UTF8: b'{"url": "https://p.example/", "body": "\xff\xfe"}',
    RejectReason.INVALID_JSON: b'{"url": "https://p.example/", "body": NaN}',
    RejectReason.SCHEMA_VIOLATION: b'{"url": 7, "body": ["not", "text"]}',
    RejectReason.EMPTY_CONTENT: b'{"url": "https://p.example/", "body": "<script>x()</script>"}',
    RejectReason.TOO_LARGE: b'{"url": "https://p.example/", "body": "' + b"a" * 200_000 + b'"}',
}


def batch(values: Sequence[bytes | None]) -> list[SourceRecord]:
    return [SourceRecord(topic=TOPICS.raw, partition=0, offset=n, key=None, value=v) for n, v in enumerate(values)]


@pytest.mark.parametrize("reason", list(POISONS))
async def test_a_poison_record_at_any_position_leaves_its_neighbours_untouched(
    normaliser: Normaliser, reason: RejectReason
) -> None:
    clean = await make_pipeline(normaliser).handle_batch(batch(NEIGHBOURS))
    expected = [output.value for _, output in clean]
    for position in range(len(NEIGHBOURS) + 1):
        values = [*NEIGHBOURS[:position], POISONS[reason], *NEIGHBOURS[position:]]
        handled = await make_pipeline(normaliser).handle_batch(batch(values))
        results = [result for result, _ in handled]
        assert isinstance(results[position], Rejected), position
        assert results[position].envelope.reason is reason
        neighbours = [output for n, (_, output) in enumerate(handled) if n != position]
        assert not any(isinstance(result, Rejected) for n, result in enumerate(results) if n != position)
        # the neighbours' payloads are what they are without the poison, but for their source offsets
        assert [_without_offset(o.value) for o in neighbours] == [_without_offset(v) for v in expected], position


def _without_offset(value: bytes) -> object:
    document = orjson.loads(value)
    document["provenance"].pop("offset")
    return document


class SlowPublisher(InMemoryPublisher):
    """A downstream that takes its time to acknowledge; records how many records were unacknowledged at once."""

    def __init__(self, source: InMemorySource) -> None:
        super().__init__()
        self.source = source
        self.unacknowledged_peak = 0
        self.fetches_during_publish = 0

    async def publish(self, records: Sequence[OutputRecord]) -> list[int]:
        self.unacknowledged_peak = max(self.unacknowledged_peak, len(records))
        fetched_before = self.source.fetches
        await asyncio.sleep(0.05)
        self.fetches_during_publish += self.source.fetches - fetched_before
        return await super().publish(records)


class CountingSource(InMemorySource):
    def __init__(self, records: Sequence[SourceRecord]) -> None:
        super().__init__(records)
        self.fetches = 0

    async def fetch(self, *, timeout_ms: int, max_records: int) -> list[SourceRecord]:
        self.fetches += 1
        return await super().fetch(timeout_ms=timeout_ms, max_records=max_records)


async def test_a_slow_downstream_holds_at_most_one_batch_in_flight(normaliser: Normaliser) -> None:
    values = [orjson.dumps({"url": f"https://slow.example/{n}", "body": f"Report number {n} of the day."})
              for n in range(60)]  # fmt: skip
    source = CountingSource(batch(values))
    publisher = SlowPublisher(source)
    registry = CollectorRegistry()
    metrics = Metrics(registry)
    worker = Worker(source=source, publisher=publisher, pipeline=make_pipeline(normaliser, metrics=metrics),
                    metrics=metrics, readiness=Readiness(metrics), topics=TOPICS,
                    consumer=ConsumerSettings(max_batch_records=8), runtime=FAST_RETRY)  # fmt: skip
    in_flight_peak = 0

    async def watch() -> None:
        nonlocal in_flight_peak
        while True:
            in_flight_peak = max(in_flight_peak, int(registry.get_sample_value("news_ingest_in_flight_messages") or 0))
            await asyncio.sleep(0.005)

    watcher = asyncio.create_task(watch())
    await worker.run(asyncio.Event(), until_idle=True)
    watcher.cancel()
    print(f"published={len(publisher.records)} unacked peak={publisher.unacknowledged_peak} in-flight={in_flight_peak}")
    assert len(publisher.records) == len(values)
    assert publisher.unacknowledged_peak <= 8
    assert 0 < in_flight_peak <= 8, "the in-flight gauge never exceeds one batch"
    assert publisher.fetches_during_publish == 0, "nothing is fetched while a batch waits for its acks"
