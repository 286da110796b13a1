"""The pipeline: every record becomes exactly one result, stages are timed, output is deterministic."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from news_ingest.codec import encode_model
from news_ingest.config import DedupSettings
from news_ingest.demo import MALFORMED, STORIES, WRITE_UPS, demo_events
from news_ingest.models import DedupStatus, RejectReason, Stage
from news_ingest.normalise.stage import Normaliser
from news_ingest.records import Enriched, Rejected, SourceRecord
from tests.conftest import make_pipeline


def at(offset: int, value: bytes | None) -> SourceRecord:
    return SourceRecord(topic="raw", partition=0, offset=offset, key=None, value=value, timestamp_ms=1_764_000_000_000)


async def test_every_demo_event_ends_in_exactly_one_result(normaliser: Normaliser) -> None:
    events = demo_events()
    handled = await make_pipeline(normaliser).handle_batch([at(offset, value) for offset, value in enumerate(events)])
    results = [result for result, _ in handled]
    rejected = [result for result in results if isinstance(result, Rejected)]
    assert len(results) == len(events)
    assert len(rejected) == len(MALFORMED)
    reasons = {result.envelope.reason for result in rejected}
    assert reasons == {
        RejectReason.INVALID_JSON,
        RejectReason.INVALID_UTF8,
        RejectReason.SCHEMA_VIOLATION,
        RejectReason.EMPTY_CONTENT,
    }


async def test_empty_body_is_rejected_at_the_normalise_stage(normaliser: Normaliser) -> None:
    result, _ = await make_pipeline(normaliser).handle(at(0, b'{"url": "https://u.example/", "body": "  "}'))
    assert isinstance(result, Rejected)
    assert (result.envelope.reason, result.envelope.stage) == (RejectReason.EMPTY_CONTENT, Stage.NORMALISE)


async def test_enriched_article_records_its_provenance(normaliser: Normaliser) -> None:
    result, _ = await make_pipeline(normaliser).handle(
        at(7, b'{"url": "https://u.example/", "body": "b", "fetched_at": "2026-11-24T10:00:00+01:00"}')
    )
    assert isinstance(result, Enriched)
    provenance = result.article.provenance
    assert (provenance.topic, provenance.partition, provenance.offset) == ("raw", 0, 7)
    assert provenance.fetched_at is not None
    assert provenance.fetched_at.isoformat() == "2026-11-24T09:00:00+00:00"
    assert provenance.processed_at is not None
    assert result.article.dedup.status is DedupStatus.UNIQUE
    assert result.article.dedup.cluster_id == result.article.article_id


async def test_reprocessing_the_same_record_gives_identical_bytes(normaliser: Normaliser) -> None:
    value = demo_events()[0]
    (first, _), (second, _) = (
        await make_pipeline(normaliser).handle(at(3, value)),
        await make_pipeline(normaliser).handle(at(3, value)),
    )
    assert isinstance(first, Enriched)
    assert isinstance(second, Enriched)
    assert encode_model(first.article) == encode_model(second.article)


async def test_each_stage_is_timed(normaliser: Normaliser) -> None:
    registry = CollectorRegistry()
    await make_pipeline(normaliser, registry).handle(at(0, demo_events()[0]))
    for stage in (Stage.DECODE, Stage.NORMALISE, Stage.DEDUPLICATE, Stage.TAG):
        count = registry.get_sample_value("news_ingest_stage_duration_seconds_count", {"stage": stage.value})
        assert count == 1, stage


async def test_demo_variants_get_the_dedup_decision_they_were_written_for(normaliser: Normaliser) -> None:
    """Per story the demo writes: original, edited syndicated copy, URL re-post, HTML re-scrape, doubled lede."""
    handled = await make_pipeline(normaliser).handle_batch([at(i, v) for i, v in enumerate(demo_events())])
    articles = [result.article for result, _ in handled if not isinstance(result, Rejected)]
    by_story: dict[str, list[tuple[str | None, str | None]]] = {}
    for article in articles[: 5 * len(STORIES)]:
        by_story.setdefault(article.dedup.cluster_id or "", []).append(
            (article.dedup.status.value, article.dedup.method)
        )
    assert len(by_story) == len(STORIES)
    for decisions in by_story.values():
        assert decisions == [
            ("unique", None),
            ("near_duplicate", "minhash"),
            ("exact_duplicate", "url"),
            ("exact_duplicate", "content"),
            ("exact_duplicate", "content"),
        ]


async def test_demo_write_ups_of_an_event_join_its_story_and_foreign_stories_stay_apart(
    normaliser: Normaliser,
) -> None:
    handled = await make_pipeline(normaliser).handle_batch([at(i, v) for i, v in enumerate(demo_events())])
    articles = [result.article for result, _ in handled if not isinstance(result, Rejected)]
    originals = {article.url.rsplit("/", 1)[-1]: article for article in articles[: 5 * len(STORIES) : 5]}
    write_ups = [article for article in articles if article.url.endswith("-analysis")]
    assert len(write_ups) == len(WRITE_UPS)
    for write_up in write_ups:
        original = originals[write_up.url.rsplit("/", 1)[-1].removesuffix("-analysis")]
        assert (write_up.dedup.status.value, write_up.dedup.method) == ("unique", "story")
        assert write_up.dedup.cluster_id == original.article_id
        assert write_up.dedup.similarity is not None
        assert write_up.dedup.similarity >= DedupSettings().story_similarity
    foreign = [article for article in articles if "/artikel/" in article.url]
    assert [article.dedup.method for article in foreign] == [None] * len(foreign)
    assert len({article.dedup.cluster_id for article in articles}) == len(STORIES) + len(foreign)
