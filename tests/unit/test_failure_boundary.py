"""No record can stop a partition: hostile records and stage failures each become one output, at any position."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import orjson
import pytest
import structlog
from prometheus_client import CollectorRegistry

from news_ingest import pipeline as pipeline_module
from news_ingest.app import record_limit
from news_ingest.codec import decode_enriched, decode_rejected
from news_ingest.config import ConsumerSettings, DedupSettings, ProducerSettings, TopicSettings
from news_ingest.deduplicate.index import Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from news_ingest.deduplicate.stage import Deduplicator
from news_ingest.errors import DedupIndexUnavailable
from news_ingest.health import Readiness
from news_ingest.memory import InMemoryPublisher, InMemorySource
from news_ingest.metrics import Metrics
from news_ingest.models import Article, DedupInfo, RawArticle, RejectReason, Stage, Tags
from news_ingest.normalise.stage import Normaliser
from news_ingest.pipeline import Pipeline
from news_ingest.records import Enriched, OutputRecord, Rejected, SourceRecord
from news_ingest.worker import Worker
from tests.conftest import make_pipeline, tagger
from tests.hostile_cases import CASES, Case
from tests.unit.test_worker import FAST_RETRY

TOPICS = TopicSettings()
LIMIT = record_limit(TopicSettings(), ProducerSettings())  # what the service uses with Kafka's default topic limit
NEIGHBOURS = [
    orjson.dumps({"url": f"https://calm.example/{n}", "title": f"Quay works {n}",
                  "body": f"Crews in Lowmere {n} finished the quay on Friday, a week after the flood receded."})
    for n in range(4)
]  # fmt: skip
SECRET = "quoted-input-text"


def batch(values: Sequence[tuple[bytes | None, bytes | None]]) -> list[SourceRecord]:
    return [SourceRecord(topic=TOPICS.raw, partition=0, offset=n, key=key, value=value)
            for n, (key, value) in enumerate(values)]  # fmt: skip


def hostile_pipeline(normaliser: Normaliser) -> Pipeline:
    return make_pipeline(normaliser, max_message_bytes=1_000_000, max_record_bytes=LIMIT)


def assert_case_output(case: Case, output: OutputRecord) -> None:
    assert output.size_bytes <= LIMIT, f"{case.name}: a {output.size_bytes}-byte output cannot be published"
    if case.reason is None:
        assert output.topic in (TOPICS.enriched, TOPICS.duplicates), case.name
        assert case.check(decode_enriched(output.value)), case.name
    else:
        assert output.topic == TOPICS.rejected, case.name
        envelope = decode_rejected(output.value)
        assert envelope.reason is case.reason, f"{case.name}: {envelope.reason} {envelope.detail}"
        assert case.check(envelope), case.name


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_a_hostile_record_at_any_position_gets_its_one_output_and_spares_its_neighbours(
    normaliser: Normaliser, case: Case
) -> None:
    for position in range(len(NEIGHBOURS) + 1):
        values = [(None, v) for v in NEIGHBOURS]
        values.insert(position, (case.key, case.value))
        handled = await hostile_pipeline(normaliser).handle_batch(batch(values))
        assert len(handled) == len(values)
        assert_case_output(case, handled[position][1])
        for n, (result, _) in enumerate(handled):
            if n != position:
                assert isinstance(result, Enriched), (case.name, position, n)


class Crashing:
    """A stage wrapper that raises (with input text in its message) on articles holding ``marker``."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def hit(self, text: str) -> None:
        if self.marker in text:
            raise RuntimeError(f"bug triggered by {SECRET}")


def crashing_pipeline(normaliser: Normaliser, stage: Stage) -> Pipeline:
    crash = Crashing(f"CRASH-{stage.value}")
    dedup = DedupSettings()
    deduplicator = Deduplicator(index=InMemoryDedupIndex(Thresholds.from_settings(dedup)), settings=dedup)

    def normalise(raw: RawArticle) -> Article:
        if stage is Stage.NORMALISE:
            crash.hit(raw.body)
        return normaliser(raw)

    async def deduplicate(items: Sequence[tuple[str, Article]]) -> list[DedupInfo]:
        for _, article in items:  # fails the whole batch, as a bug in a batch-shaped stage would
            if stage is Stage.DEDUPLICATE:
                crash.hit(article.body)
        return await deduplicator(items)

    async def tag(articles: Sequence[Article]) -> list[Tags]:
        for article in articles:
            if stage is Stage.TAG:
                crash.hit(article.body)
        return await tagger()(articles)

    return Pipeline(metrics=Metrics(CollectorRegistry()), normalise=normalise, deduplicate=deduplicate, tag=tag,
                    topics=TOPICS, max_message_bytes=100_000, max_record_bytes=LIMIT)  # fmt: skip


@pytest.mark.parametrize("stage", [Stage.NORMALISE, Stage.DEDUPLICATE, Stage.TAG])
async def test_a_stage_raising_on_one_record_rejects_that_record_alone_as_processing_failed(
    normaliser: Normaliser, stage: Stage
) -> None:
    poison = orjson.dumps({"url": "https://crash.example/1", "body": f"A report CRASH-{stage.value} of the quay."})
    for position in range(len(NEIGHBOURS) + 1):
        values: list[tuple[bytes | None, bytes | None]] = [(None, v) for v in NEIGHBOURS]
        values.insert(position, (None, poison))
        with structlog.testing.capture_logs() as logged:
            handled = await crashing_pipeline(normaliser, stage).handle_batch(batch(values))
        result = handled[position][0]
        assert isinstance(result, Rejected)
        assert result.envelope.reason is RejectReason.PROCESSING_FAILED
        assert result.envelope.stage is stage
        assert result.envelope.detail == f"the {stage.value} stage raised RuntimeError"
        assert SECRET not in handled[position][1].value.decode()
        assert all(isinstance(r, Enriched) for n, (r, _) in enumerate(handled) if n != position)
        (failure,) = [entry for entry in logged if entry["event"] == "record_processing_failed"]
        assert failure.pop("where").startswith("test_failure_boundary.py:"), "where the exception was raised"
        assert failure == {
            "event": "record_processing_failed",
            "log_level": "error",
            "topic": TOPICS.raw,
            "partition": 0,
            "offset": position,
            "stage": stage.value,
            "error_type": "RuntimeError",
        }
        assert SECRET not in str(logged), "the exception's message may quote the input: it is not logged"


async def test_an_exception_while_encoding_rejects_that_record_alone(
    normaliser: Normaliser, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pipeline_module.to_output

    def to_output(result: object, source: SourceRecord, **options: object) -> OutputRecord:
        if source.offset == 1 and not isinstance(result, Rejected):
            raise ValueError(SECRET)
        return real(result, source, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline_module, "to_output", to_output)
    handled = await make_pipeline(normaliser).handle_batch(batch([(None, v) for v in NEIGHBOURS]))
    (failed,) = [result for result, _ in handled if isinstance(result, Rejected)]
    assert failed.envelope.source.offset == 1
    assert (failed.envelope.reason, failed.envelope.stage) == (RejectReason.PROCESSING_FAILED, Stage.ENCODE)


async def test_an_infrastructure_error_still_leaves_the_batch_for_a_retry(normaliser: Normaliser) -> None:
    async def unavailable(items: Sequence[tuple[str, Article]]) -> list[DedupInfo]:
        raise DedupIndexUnavailable("redis check-and-insert failed: connection refused")

    registry = CollectorRegistry()
    pipeline = Pipeline(metrics=Metrics(registry), normalise=normaliser, deduplicate=unavailable, tag=tagger(),
                        topics=TOPICS, max_message_bytes=100_000, max_record_bytes=LIMIT)  # fmt: skip
    with pytest.raises(DedupIndexUnavailable):
        await pipeline.handle_batch(batch([(None, v) for v in NEIGHBOURS]))
    timed = registry.get_sample_value("news_ingest_stage_duration_seconds_count", {"stage": "deduplicate"})
    assert timed == len(NEIGHBOURS), "the failed attempt is counted in the stage's duration"


async def test_an_output_the_broker_refuses_as_too_large_is_sent_alone_then_replaced_by_a_reference(
    normaliser: Normaliser,
) -> None:
    """The broker's limit is lower than the one the pipeline was given: the worker sends the refused record
    again alone (a batch is refused whole), then a rejected envelope that only references the input."""
    big = orjson.dumps({"url": "https://big.example/1", "body": "The quay was rebuilt in stone. " * 2_000})
    records = batch([(None, NEIGHBOURS[0]), (None, big), (None, NEIGHBOURS[1])])
    source = InMemorySource(records)
    publisher = InMemoryPublisher(max_record_bytes=20_000)
    metrics = Metrics(CollectorRegistry())
    worker = Worker(source=source, publisher=publisher, pipeline=make_pipeline(normaliser, metrics=metrics),
                    metrics=metrics, readiness=Readiness(metrics), topics=TOPICS,
                    consumer=ConsumerSettings(max_batch_records=10), runtime=FAST_RETRY)  # fmt: skip
    summary = await worker.run(asyncio.Event(), until_idle=True)
    assert summary.consumed == 3
    by_offset = {int(dict(r.headers)["source-offset"]): r for r in publisher.records}
    assert sorted(by_offset) == [0, 1, 2], "every offset has exactly one published output"
    assert len(publisher.records) == 3
    replaced = decode_rejected(by_offset[1].value)
    assert replaced.reason is RejectReason.OUTPUT_TOO_LARGE
    assert replaced.original_truncated
    assert replaced.original_value_b64 is None
    assert source.committed
