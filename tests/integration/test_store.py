"""The Redis dedup index beyond the shared contract: atomic across replicas, TTLs, failures, same answers as memory."""

from __future__ import annotations

import asyncio
import uuid

import pytest
import redis.asyncio as aioredis

from news_ingest.broker import free_port
from news_ingest.codec import decode_raw
from news_ingest.config import DedupSettings
from news_ingest.deduplicate.index import Candidate, Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from news_ingest.deduplicate.redis_index import RedisDedupIndex
from news_ingest.deduplicate.stage import Deduplicator
from news_ingest.demo import demo_events
from news_ingest.errors import DedupIndexUnavailable, InputRejected
from news_ingest.models import DedupStatus
from news_ingest.normalise.stage import Normaliser
from news_ingest.records import SourceRecord
from news_ingest.redis_server import LocalRedis
from tests.dedup_cases import OTHER, STORY, candidate

pytestmark = pytest.mark.integration


def open_redis(url: str, prefix: str, settings: DedupSettings | None = None) -> RedisDedupIndex:
    settings = settings or DedupSettings()
    limits = Thresholds.from_settings(settings)
    return RedisDedupIndex(url=url, thresholds=limits, key_prefix=prefix, timeout_seconds=2.0)  # fmt: skip


def new_prefix() -> str:
    return f"test:{{{uuid.uuid4().hex}}}:"


async def test_two_replicas_checking_copies_at_the_same_moment_make_exactly_one_unique(
    redis_server: LocalRedis,
) -> None:
    prefix = new_prefix()
    async with open_redis(redis_server.url, prefix) as first, open_redis(redis_server.url, prefix) as second:
        for story in range(20):
            text = " ".join(f"story{story}word{word}" for word in range(60))  # twenty unrelated stories
            copies = [
                candidate(text, source=f"raw/0/{story}", url=f"https://a.example/{story}"),
                candidate(text + " Updated.", source=f"raw/1/{story}", url=f"https://b.example/{story}"),
            ]
            decided = await asyncio.gather(first.check_and_insert([copies[0]]), second.check_and_insert([copies[1]]))
            statuses = sorted(decision.status.value for (decision,) in decided)
            assert statuses == ["near_duplicate", "unique"], f"story {story}: {statuses}"
            unique = next(decision for (decision,) in decided if decision.status is DedupStatus.UNIQUE)
            duplicate = next(decision for (decision,) in decided if decision.status is not DedupStatus.UNIQUE)
            assert duplicate.cluster_id == unique.cluster_id


async def test_decisions_and_entries_have_ttls_tied_to_the_exact_window(redis_server: LocalRedis) -> None:
    prefix = new_prefix()
    settings = DedupSettings(window_hours=2, exact_window_hours=4, generation_hours=1)
    exact_ms = 4 * 3600 * 1000
    async with open_redis(redis_server.url, prefix, settings) as index:
        await index.check_and_insert([candidate(STORY, source="raw/0/1"), candidate(OTHER, source="raw/0/2")])
    ttls = await key_ttls(redis_server.url, prefix)
    decisions = {key: ttl for key, ttl in ttls.items() if key.startswith(f"{prefix}s:".encode())}
    assert len(decisions) == 2
    assert all(0 < ttl <= exact_ms for ttl in decisions.values())  # a replayed offset is remembered that long
    entries = {key: ttl for key, ttl in ttls.items() if key.startswith(f"{prefix}a:".encode())}
    assert len(entries) == 2
    assert all(0 < ttl <= 2 * exact_ms for ttl in entries.values())  # trimmed by event time; TTL is a backstop


def unrelated(generation: int, count: int = 3) -> list[Candidate]:
    """Articles sharing no shingle, of one generation on partition 0: the watermark reaches that generation."""
    return [candidate(" ".join(f"g{generation}n{n}w{k}" for k in range(40)), source=f"raw/0/g{generation}n{n}",
                      generation=generation) for n in range(count)]  # fmt: skip


async def test_articles_leave_the_window_without_leaving_traces(redis_server: LocalRedis) -> None:
    """Sketch window two generations, exact window four: the sketch goes first (its band fields with it),
    then the article and its URL and content fields, on event time alone."""
    prefix = new_prefix()
    settings = DedupSettings(window_hours=12, exact_window_hours=24, generation_hours=6, allowed_lateness_hours=0)
    bands = 2 * DedupSettings().bands  # whole-text and lede band keys per article
    client = aioredis.Redis.from_url(redis_server.url)

    async def fields(kind: str) -> int:
        return sum([await client.hlen(key) async for key in client.scan_iter(match=f"{prefix}{kind}:*")])

    try:
        async with open_redis(redis_server.url, prefix, settings) as index:
            story = candidate(STORY, source="raw/0/1", url="https://a.example/x", generation=10)
            await index.check_and_insert([story])
            await index.check_and_insert(unrelated(12))  # sketch cutoff 11: the story's sketch leaves
            assert await fields("b") == 3 * bands
            assert await client.hexists(f"{prefix}a:{story.article_id}", "k")
            assert not await client.hexists(f"{prefix}a:{story.article_id}", "s")
            (repost,) = await index.check_and_insert([candidate(STORY, source="raw/0/3", url="https://a.example/x",
                                                                generation=12)])  # fmt: skip
            assert (repost.status, repost.method) == (DedupStatus.EXACT_DUPLICATE, "url")
            await index.check_and_insert(unrelated(14))  # exact cutoff 11: the story goes whole
            assert await index.size() == 6
            assert not await client.exists(f"{prefix}a:{story.article_id}")
            assert await fields("b") == 3 * bands  # generation 14's articles only
            assert await fields("u") == await fields("c") == 6
            (late,) = await index.check_and_insert([candidate(STORY, source="raw/0/4", url="https://a.example/x",
                                                              generation=14)])  # fmt: skip
        assert late.status is DedupStatus.UNIQUE
    finally:
        await client.aclose()


async def key_ttls(url: str, prefix: str) -> dict[bytes, int]:
    client = aioredis.Redis.from_url(url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        untimed = (b"entries", b"sketched", b"wm", b"wmark")  # trimmed by the script, or a few bytes per partition
        return {key: await client.pttl(key) for key in keys if not key.endswith(untimed)}
    finally:
        await client.aclose()


async def test_redis_and_memory_decide_the_demo_stream_identically(
    redis_server: LocalRedis, normaliser: Normaliser
) -> None:
    settings = DedupSettings()
    articles = []
    for offset, value in enumerate(demo_events()):
        record = SourceRecord(topic="raw", partition=0, offset=offset, key=None, value=value)
        try:
            articles.append((f"raw/0/{offset}", normaliser(decode_raw(record, max_message_bytes=100_000))))
        except InputRejected:
            continue  # the malformed ones
    memory = Deduplicator(index=InMemoryDedupIndex(Thresholds.from_settings(settings)), settings=settings)
    async with open_redis(redis_server.url, new_prefix(), settings) as shared:
        redis = Deduplicator(index=shared, settings=settings)
        halves = [articles[: len(articles) // 2], articles[len(articles) // 2 :]]  # two batches, as a consumer would
        from_redis = [decision for half in halves for decision in await redis(half)]
    from_memory = [decision for half in halves for decision in await memory(half)]
    assert from_redis == from_memory
    assert {decision.status for decision in from_redis} == set(DedupStatus)


async def test_script_is_reloaded_after_redis_forgets_it(redis_server: LocalRedis) -> None:
    async with open_redis(redis_server.url, new_prefix()) as index:
        await index.check_and_insert([candidate(STORY, source="raw/0/1")])
        client = aioredis.Redis.from_url(redis_server.url)
        try:
            await client.script_flush()
        finally:
            await client.aclose()
        (decision,) = await index.check_and_insert([candidate(STORY, source="raw/0/2", url="https://b.example/s")])
    assert (decision.status, decision.method) == (DedupStatus.EXACT_DUPLICATE, "content")


async def test_unreachable_redis_is_a_retriable_index_failure() -> None:
    async with open_redis(f"redis://127.0.0.1:{free_port()}/0", new_prefix()) as index:
        with pytest.raises(DedupIndexUnavailable) as failure:
            await index.check_and_insert([candidate(STORY, source="raw/0/1")])
        assert failure.value.retriable
        with pytest.raises(DedupIndexUnavailable):
            await index.ping()


async def test_decisions_survive_a_redis_restart_only_while_the_server_keeps_them() -> None:
    """A stopped and restarted (memory-only) Redis forgets everything: the index answers again, from empty."""
    redis = LocalRedis()
    with redis:
        async with open_redis(redis.url, new_prefix()) as index:
            await index.check_and_insert([candidate(STORY, source="raw/0/1")])
            redis.stop()
            with pytest.raises(DedupIndexUnavailable):
                await index.check_and_insert([candidate(STORY, source="raw/0/2", url="https://b.example/s")])
            redis.start()
            (decision,) = await index.check_and_insert([candidate(STORY, source="raw/0/2", url="https://b.example/s")])
    assert decision.status is DedupStatus.UNIQUE
