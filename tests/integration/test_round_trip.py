"""Kafka in, Kafka out, through the real broker: every input offset ends in exactly one output record."""

from __future__ import annotations

import base64

import orjson
import pytest
from prometheus_client import CollectorRegistry

from news_ingest.app import serve
from news_ingest.codec import decode_enriched, decode_rejected
from news_ingest.config import Settings
from news_ingest.demo import MALFORMED, demo_events
from tests.integration.conftest import produce, read_outputs

pytestmark = pytest.mark.integration


async def test_demo_stream_round_trip_accounts_for_every_offset(settings: Settings) -> None:
    events = demo_events()
    written = await produce(settings, events)
    registry = CollectorRegistry()
    summary = await serve(settings, until_idle=True, registry=registry)
    outputs = await read_outputs(settings, expected=len(events))

    assert summary.consumed == len(events)
    assert len(outputs.all) == len(events), "every input ends in exactly one output"
    assert set(outputs.by_source()) == set(written)
    assert len(outputs.rejected) == len(MALFORMED)
    for record in outputs.enriched:
        article = decode_enriched(record.value or b"")
        headers = dict(record.headers)
        assert record.key == (article.dedup.cluster_id or article.article_id).encode()
        assert headers["schema-name"] == b"news.articles.enriched"
        assert headers["source-topic"] == settings.topics.raw.encode()
    for partition in {partition for partition, _ in written}:
        labels = {"topic": settings.topics.raw, "partition": str(partition)}
        consumed = registry.get_sample_value("news_ingest_messages_consumed_total", labels) or 0
        assert consumed == sum(1 for p, _ in written if p == partition)
        outcome_sum = sum(
            sample.value
            for metric in registry.collect()
            if metric.name == "news_ingest_messages_outcome"
            for sample in metric.samples
            if sample.name.endswith("_total") and sample.labels["partition"] == str(partition)
        )
        assert outcome_sum == consumed


async def test_every_bad_input_reason_lands_on_the_rejected_topic(settings: Settings) -> None:
    limited = settings.model_copy(update={"limits": settings.limits.model_copy(update={"max_message_bytes": 4_096})})
    bad: dict[str, bytes | None] = {
        "null_value": None,
        "too_large": orjson.dumps({"url": "https://a.example/big", "body": "word " * 1_000}),
        "invalid_utf8": b'{"url": "https://a.example/x", "body": "caf\xe9"}',
        "invalid_json": b'{"url": "https://a.example/x", "body": ',
        "schema_violation": b'{"body": "no url"}',
        "empty_content": b'{"url": "https://a.example/x", "body": " \\n "}',
    }
    written = await produce(limited, list(bad.values()), key=b"same-partition")
    reason_at = {offset: reason for (_, offset), reason in zip(written, bad, strict=True)}
    await serve(limited, until_idle=True, registry=CollectorRegistry())
    outputs = await read_outputs(limited, expected=len(bad))

    assert len(outputs.rejected) == len(bad)
    assert outputs.enriched == []
    for record in sorted(outputs.rejected, key=lambda r: int(dict(r.headers)["source-offset"])):
        headers = dict(record.headers)
        envelope = decode_rejected(record.value or b"")
        offset = int(headers["source-offset"])
        reason = reason_at[offset]
        assert headers["reject-reason"] == reason.encode()
        assert envelope.reason.value == reason
        assert headers["reject-stage"] == envelope.stage.value.encode()
        assert envelope.detail
        assert (envelope.source.topic, envelope.source.offset) == (limited.topics.raw, offset)
        assert record.key == b"same-partition"
        original = bad[reason]
        embedded = base64.b64decode(envelope.original_value_b64) if envelope.original_value_b64 else None
        assert embedded == original


async def test_full_tag_profile_publishes_entities_and_regions_through_the_broker(settings: Settings) -> None:
    """The default profile: spaCy NER in worker processes, started and stopped by the service."""
    full = settings.model_copy(update={"tag": settings.tag.model_copy(update={"profile": "full", "ner_processes": 1})})
    events = demo_events()
    await produce(full, events)
    await serve(full, until_idle=True, registry=CollectorRegistry())
    outputs = await read_outputs(full, expected=len(events))
    articles = [decode_enriched(record.value or b"") for record in outputs.enriched]
    tagged = [article for article in articles if article.entities]
    assert len(tagged) >= len(articles) // 2
    assert all(article.regions.primary_country for article in tagged if article.dateline.country)
    kinds = {entity.type.value for article in tagged for entity in article.entities}
    assert {"PERSON", "LOC", "ORG"} <= kinds
    assert all(entity.id.split(":")[0] in {"iso", "geonames", "person", "org", "loc"}
               for article in tagged for entity in article.entities)  # fmt: skip
