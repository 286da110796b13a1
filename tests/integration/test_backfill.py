"""A backfill through the real broker: ten days of stories on one partition read before their copies on two
others arrive, default window settings, replicas restarted in between (shared index). Every re-post is an
exact duplicate and every abridged or extended copy is linked to its original, with both index backends."""

from __future__ import annotations

import asyncio
import random
import uuid
from datetime import UTC, datetime, timedelta

import orjson
import pytest
import redis.asyncio as aioredis
from aiokafka import AIOKafkaProducer
from pydantic import SecretStr

from news_ingest.codec import decode_enriched
from news_ingest.config import RedisSettings, Settings
from news_ingest.deduplicate import ledger
from news_ingest.models import DedupMethod, DedupStatus, EnrichedArticle
from news_ingest.redis_server import LocalRedis
from tests.integration.conftest import Group, read_outputs, start_group

pytestmark = pytest.mark.integration
SYLLABLES = ("ka", "ro", "mi", "tel", "san", "vo", "ther", "li", "dun", "pa", "gre", "so", "bel", "nu", "ost", "ar")
STORIES = 24


def paragraphs(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join("".join(rng.choices(SYLLABLES, k=3)) for _ in range(40)) + "." for _ in range(count)]


def event(url: str, title: str, text: list[str], when: datetime) -> dict[str, str]:
    return {"url": url, "title": title, "body": "\n\n".join(text), "published_at": when.isoformat()}


def backfill() -> tuple[list[dict[str, str]], list[tuple[int, dict[str, str]]]]:
    """Originals eight hours apart over eight days (partition 0), and their copies (partitions 1 and 2)."""
    start = datetime.now(UTC) - timedelta(days=9)
    originals, copies = [], []
    for story in range(STORIES):
        body = paragraphs(story, 5)
        when = start + timedelta(hours=8 * story)
        url = f"https://wire.example/story-{story}"
        originals.append(event(url, f"Story {story}", body, when))
        copies += [
            (1, event(f"{url}?utm_source=feed&utm_medium=rss", f"Story {story}", body, when + timedelta(minutes=30))),
            (2, event(f"https://mirror.example/{story}/short", f"Story {story}", body[:2], when + timedelta(hours=2))),
            (1, event(f"https://aggregator.example/{story}", f"Story {story} - more",
                      [*body, *paragraphs(1000 + story, 1)], when + timedelta(hours=3))),
        ]  # fmt: skip
    return originals, copies


async def produce_to(settings: Settings, placed: list[tuple[int, dict[str, str]]]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, linger_ms=5)
    await producer.start()
    try:
        acks = [await producer.send(settings.topics.raw, orjson.dumps(event), partition=p) for p, event in placed]
        await asyncio.gather(*acks)
    finally:
        await producer.stop()


async def until_processed(group: Group, count: int) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 120
    while group.processed() < count:
        assert loop.time() < deadline, f"processed {group.processed()} of {count}"
        await asyncio.sleep(0.2)


@pytest.mark.parametrize("backend", ["memory", "redis"])
async def test_a_backfill_read_partition_by_partition_links_every_copy(
    settings: Settings, backend: str, request: pytest.FixtureRequest
) -> None:
    if backend == "redis":
        redis: LocalRedis = request.getfixturevalue("redis_server")
        settings = settings.model_copy(
            update={"redis": RedisSettings(url=SecretStr(redis.url), key_prefix=f"it:{{{uuid.uuid4().hex}}}:")}
        )
    replicas = 2 if backend == "redis" else 1
    originals, copies = backfill()
    group = await start_group(settings, replicas)
    await produce_to(settings, [(0, event) for event in originals])  # partition 0's backlog: eight days
    await until_processed(group, len(originals))
    if backend == "redis":  # the group restarts between the two backlogs: the shared index carries on
        await group.stop()
        group = await start_group(settings, replicas)
    else:
        await asyncio.sleep(1.0)
    await produce_to(settings, copies)
    await until_processed(group, len(copies) if backend == "redis" else len(originals) + len(copies))
    await group.stop()
    outputs = await read_outputs(settings, expected=len(originals) + len(copies))

    assert not outputs.rejected
    decided: dict[str, EnrichedArticle] = {}
    for record in [*outputs.enriched, *outputs.duplicates]:
        article = decode_enriched(record.value or b"")
        decided[article.url] = article
    assert len(decided) == len(originals) + len(copies)
    for story in range(STORIES):
        original = decided[f"https://wire.example/story-{story}"]
        assert original.dedup.status is DedupStatus.UNIQUE
        repost = decided[f"https://wire.example/story-{story}?utm_source=feed&utm_medium=rss"].dedup
        assert (repost.status, repost.method) == (DedupStatus.EXACT_DUPLICATE, DedupMethod.URL), story
        copies = (f"https://mirror.example/{story}/short", f"https://aggregator.example/{story}")
        linked = {original.article_id} | {decided[address].article_id for address in copies}
        for address in copies:  # a copy of the original, or of its other copy (64-bin sketches pick either)
            copy = decided[address].dedup
            assert copy.status is DedupStatus.NEAR_DUPLICATE, (story, address, copy)
            assert copy.duplicate_of in linked - {decided[address].article_id}, (story, address, copy)
            assert copy.cluster_id == original.dedup.cluster_id


async def test_every_replica_announces_its_partitions_before_it_has_records(
    settings: Settings, redis_server: LocalRedis
) -> None:
    """A replica whose partitions have nothing to read yet still holds the group's watermark: its assignment
    reaches the shared index at once, not with its first batch."""
    prefix = f"it:{{{uuid.uuid4().hex}}}:"
    settings = settings.model_copy(update={"redis": RedisSettings(url=SecretStr(redis_server.url), key_prefix=prefix)})
    group = await start_group(settings, 2)
    client = aioredis.Redis.from_url(redis_server.url)
    try:
        entries = [ledger.decode(entry) for entry in await client.lrange(f"{prefix}log", 0, -1)]
    finally:
        await client.aclose()
        await group.stop()
    held = {p for entry in entries if isinstance(entry, ledger.Assignment) for p in entry.partitions}
    assert sorted(held) == [f"{settings.topics.raw}/{p}" for p in range(3)]
