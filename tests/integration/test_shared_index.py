"""Many replicas, one Redis index: one `unique` per story across instances, and a paused index pauses the service."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import defaultdict

import orjson
import pytest
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from news_ingest.app import Running, serve
from news_ingest.codec import decode_enriched
from news_ingest.config import RedisSettings, Settings
from news_ingest.health import Check
from news_ingest.models import DedupStatus
from news_ingest.redis_server import LocalRedis
from tests.integration.conftest import crash_before_first_commit, produce, read_outputs, start_group

pytestmark = pytest.mark.integration
SYLLABLES = ("ka", "ro", "mi", "tel", "san", "vo", "ther", "li", "dun", "pa", "gre", "so", "bel", "nu", "ost", "ar")


def story_copies(story: int) -> list[dict[str, str]]:
    """One invented story as four outlets carry it: original, URL re-post, same text elsewhere, edited copy."""
    rng = random.Random(story)
    words = ["".join(rng.choices(SYLLABLES, k=3)) for _ in range(90)]
    body = " ".join(words[:45]) + ".\n\n" + " ".join(words[45:]) + "."
    edited = body.replace(words[30], "harbour", 1) + "\n\nThe agency contributed to this report."
    slug = f"story-{story}"
    return [
        {"url": f"https://first.example/{slug}", "title": f"Story {story}", "body": body},
        {"url": f"https://first.example/{slug}?utm_source=feed", "title": f"Story {story}", "body": body},
        {"url": f"https://second.example/{slug}", "title": f"Story {story}", "body": body},
        {"url": f"https://third.example/{slug}", "title": f"Story {story} (update)", "body": edited},
    ]


def with_redis(settings: Settings, redis: LocalRedis) -> Settings:
    return settings.model_copy(
        update={
            "redis": RedisSettings(url=SecretStr(redis.url), key_prefix=f"it:{{{uuid.uuid4().hex}}}:"),
            "runtime": settings.runtime.model_copy(update={"retry_max_seconds": 1.0}),
        }
    )


async def wait_for(condition: object, *, seconds: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not condition():  # type: ignore[operator]
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


async def test_replicas_sharing_redis_publish_exactly_one_unique_per_story(
    settings: Settings, redis_server: LocalRedis
) -> None:
    settings = with_redis(settings, redis_server)
    stories = 12
    events = [event for story in range(stories) for event in story_copies(story)]
    random.Random(3).shuffle(events)  # copies of one story land on different partitions, in any order
    group = await start_group(settings, 2)
    keys = [uuid.uuid4().bytes for _ in events]
    written = [
        where
        for event, key in zip(events, keys, strict=True)
        for where in await produce(settings, [orjson.dumps(event)], key=key)
    ]
    await wait_for(lambda: group.processed() >= len(events), seconds=60, what="every event processed")
    summaries = await group.stop()
    outputs = await read_outputs(settings, expected=len(written))

    print(f"instances consumed {[s.consumed for s in summaries]}; partitions used {sorted({p for p, _ in written})}")
    assert all(summary.consumed > 0 for summary in summaries), "both instances took a share"
    assert set(outputs.by_source()) == set(written)
    assert len(outputs.all) == len(written), "every input exactly once"
    by_story: dict[str, list[tuple[DedupStatus, str | None]]] = defaultdict(list)
    for record in [*outputs.enriched, *outputs.duplicates]:
        article = decode_enriched(record.value or b"")
        by_story[article.url.split("/")[-1].split("?")[0]].append((article.dedup.status, article.dedup.cluster_id))
    assert len(by_story) == stories
    for story, decisions in by_story.items():
        statuses = [status for status, _ in decisions]
        assert statuses.count(DedupStatus.UNIQUE) == 1, f"{story}: {statuses}"
        assert len({cluster for _, cluster in decisions}) == 1, f"{story}: one cluster, got {decisions}"


async def test_index_outage_pauses_output_and_the_service_resumes_by_itself(settings: Settings) -> None:
    with LocalRedis() as redis:
        settings = with_redis(settings, redis)
        stop = asyncio.Event()
        started: list[Running] = []

        async def remember(running: Running) -> None:
            started.append(running)

        service = asyncio.create_task(serve(settings, stop=stop, registry=CollectorRegistry(), on_started=remember))
        await wait_for(lambda: bool(started), seconds=40, what="service started")
        running = started[0]

        def processed() -> int:
            return sum(running.metrics.outcome_totals().values())

        def ready(check: Check) -> bool:
            return running.readiness.report()[check.value]

        before = [orjson.dumps(event) for event in story_copies(100)]
        written = await produce(settings, before)
        await wait_for(lambda: processed() == len(before), seconds=40, what="first batch processed")

        redis.stop()
        during = [orjson.dumps(event) for event in story_copies(101)]
        written += await produce(settings, during)
        await wait_for(lambda: not ready(Check.DEDUP_INDEX_REACHABLE), seconds=20, what="readiness to go false")
        await wait_for(lambda: not ready(Check.OUTPUTS_FLOWING), seconds=20, what="output to pause")
        await asyncio.sleep(2.0)  # several retries against the dead index
        paused_at = processed()

        redis.start()
        await wait_for(lambda: processed() == len(written), seconds=40, what="the paused batch to be processed")
        await wait_for(lambda: ready(Check.DEDUP_INDEX_REACHABLE), seconds=20, what="readiness to come back")
        assert ready(Check.OUTPUTS_FLOWING)
        stop.set()
        await service
    outputs = await read_outputs(settings, expected=len(written))
    assert paused_at == len(before), "nothing was published while the index was down"
    assert set(outputs.by_source()) == set(written)
    assert len(outputs.all) == len(written)


async def test_with_redis_a_crashed_batch_is_republished_with_identical_decisions(
    settings: Settings, redis_server: LocalRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The in-memory index starts empty after a restart; the Redis one remembers each offset's decision."""
    settings = with_redis(settings, redis_server)
    events = [orjson.dumps(event) for story in range(200, 206) for event in story_copies(story)]
    written = await produce(settings, events)
    await crash_before_first_commit(settings, monkeypatch)
    await serve(settings, until_idle=True, registry=CollectorRegistry())
    outputs = await read_outputs(settings, expected=len(written) + 1)

    by_source = outputs.by_source()
    republished = {where: values for where, values in by_source.items() if len(values) > 1}
    statuses = [decode_enriched(value).dedup.status for values in republished.values() for value in values]
    print(f"republished offsets: {len(republished)}; statuses: {sorted({s.value for s in statuses})}")
    assert set(by_source) == set(written)
    assert republished, "the crashed batch was published twice"
    assert DedupStatus.UNIQUE in statuses, "the batch held originals..."
    assert len(set(statuses)) > 1, "...and copies"
    for where, values in republished.items():
        assert len(set(values)) == 1, f"re-published record for {where} differs"
