"""The Redis dedup index beyond the shared contract: atomic across replicas, TTLs, failures, same answers as memory."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter

import pytest
import redis.asyncio as aioredis

from news_ingest.broker import free_port
from news_ingest.codec import decode_raw
from news_ingest.config import DedupSettings
from news_ingest.deduplicate import ledger, redis_index
from news_ingest.deduplicate.index import Candidate, Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from news_ingest.deduplicate.redis_index import RedisDedupIndex
from news_ingest.deduplicate.stage import Deduplicator
from news_ingest.demo import demo_events
from news_ingest.errors import DedupIndexUnavailable, InputRejected
from news_ingest.models import DedupInfo, DedupStatus
from news_ingest.normalise.stage import Normaliser
from news_ingest.records import SourceRecord
from news_ingest.redis_server import LocalRedis
from tests.dedup_cases import FIRE, FIRE_RETOLD, OTHER, OTHER_FIRE, STORY, candidate

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


async def test_redis_holds_one_log_entry_per_batch_and_no_key_per_article(redis_server: LocalRedis) -> None:
    prefix = new_prefix()
    async with open_redis(redis_server.url, prefix) as index:
        await index.track(["raw/0"])
        await index.check_and_insert([candidate(STORY, source="raw/0/1"), candidate(OTHER, source="raw/0/2")])
        await index.check_and_insert([candidate(STORY, source="raw/0/3", url="https://b.example/s")])
    client = aioredis.Redis.from_url(redis_server.url)
    try:
        keys = {key async for key in client.scan_iter(match=f"{prefix}*")}
        assert keys == {f"{prefix}log".encode(), f"{prefix}epoch".encode()}, "the lease is given back"
        assert await client.llen(f"{prefix}log") == 3
    finally:
        await client.aclose()


async def test_a_replica_started_later_replays_the_log_and_answers_as_the_first_did(redis_server: LocalRedis) -> None:
    prefix = new_prefix()
    first_batch = [candidate(STORY, source="raw/0/1"), candidate(STORY + " More.", source="raw/0/2",
                                                                 url="https://b.example/m")]  # fmt: skip
    async with open_redis(redis_server.url, prefix) as first:
        decided = await first.check_and_insert(first_batch)
    async with open_redis(redis_server.url, prefix) as later:
        assert await later.size() == 2
        assert await later.check_and_insert(first_batch) == decided, "a re-consumed batch: its first decisions"
        (copy,) = await later.check_and_insert([candidate(STORY, source="raw/1/1", url="https://c.example/c")])
    assert (copy.status, copy.method, copy.duplicate_of) == (
        DedupStatus.EXACT_DUPLICATE,
        "content",
        first_batch[0].article_id,
    )


def landing_first(index: RedisDedupIndex, other: RedisDedupIndex, batch: list[Candidate]) -> list[list[DedupInfo]]:
    """Make ``other`` decide and append ``batch`` just before ``index``'s first append (its decisions kept)."""
    append, landed = index._append, []

    async def overtaken(entry: bytes, token: str = "") -> int:
        if not landed:
            landed.append(await other.check_and_insert(batch))
        return await append(entry, token)

    index._append = overtaken  # type: ignore[method-assign]
    return landed


async def test_a_copy_decided_while_its_original_landed_first_is_decided_again_as_its_duplicate(
    redis_server: LocalRedis,
) -> None:
    """No lock while deciding: the append that finds the log moved replays what landed, sees that it wrote
    band keys the copy's decision read, and decides the copy again (the article whose reads it touched)."""
    prefix = new_prefix()
    original = candidate(STORY, source="raw/0/1", url="https://a.example/x")
    copy = candidate(STORY + " Updated.", source="raw/1/1", url="https://b.example/y")
    async with open_redis(redis_server.url, prefix) as slow, open_redis(redis_server.url, prefix) as fast:
        landed = landing_first(slow, fast, [original])
        (decided,) = await slow.check_and_insert([copy])
        assert [d.status for d in landed[0]] == [DedupStatus.UNIQUE]
        assert (decided.status, decided.duplicate_of) == (DedupStatus.NEAR_DUPLICATE, original.article_id)
        assert slow.decides == {"conflict_keys": 1, "partly_again": 1, "articles_decided_again": 1}
        assert await slow.size() == await fast.size() == 2


async def test_a_batch_nothing_that_landed_first_touched_keeps_its_decisions_at_the_later_position(
    redis_server: LocalRedis,
) -> None:
    prefix = new_prefix()
    first, later = [candidate(STORY, source="raw/0/1")], [candidate(FIRE, source="raw/1/1")]
    memory = InMemoryDedupIndex(Thresholds.from_settings(DedupSettings()))
    async with open_redis(redis_server.url, prefix) as slow, open_redis(redis_server.url, prefix) as fast:
        landed = landing_first(slow, fast, first)
        decided = await slow.check_and_insert(later)
        assert slow.decides == {"rebased": 1}
        assert landed[0] == await memory.check_and_insert(first)
        assert decided == await memory.check_and_insert(later)
        after = [candidate(FIRE_RETOLD, source="raw/0/2"), candidate(STORY, source="raw/1/2", url="https://c.example")]
        assert await slow.check_and_insert(after) == await memory.check_and_insert(after)
        assert await fast.size() == await slow.size() == await memory.size()


@pytest.mark.parametrize("seed", [18, 19, 20, 21])
async def test_replicas_deciding_overlapping_batches_at_once_decide_as_memory_does_in_the_log_order(
    redis_server: LocalRedis, seed: int
) -> None:
    """Three replicas decide batches of copies of a few stories at the same moment, round after round: each
    replica's decisions are those one in-memory index makes on the batches in the order the log holds them."""
    prefix, rng = new_prefix(), random.Random(seed)
    texts = [STORY, OTHER, FIRE, FIRE_RETOLD, OTHER_FIRE]
    stream = [candidate(rng.choice(texts) + rng.choice(["", " Updated.", " More follows."]), source=f"raw/{n % 3}/{n}",
                        url=f"https://s{rng.randrange(4)}.example/{n % 7}") for n in range(90)]  # fmt: skip
    batches = [stream[start : start + 3] for start in range(0, len(stream), 3)]
    replicas = [open_redis(redis_server.url, prefix) for _ in range(3)]
    decided: dict[str, list[DedupInfo]] = {}
    try:
        for round_ in range(0, len(batches), 3):
            dealt = list(zip(replicas, batches[round_ : round_ + 3], strict=False))
            answers = await asyncio.gather(*(replica.check_and_insert(batch) for replica, batch in dealt))
            decided |= {batch[0].source: answer for (_, batch), answer in zip(dealt, answers, strict=True)}
        client = aioredis.Redis.from_url(redis_server.url)
        entries = [ledger.decode(entry) for entry in await client.lrange(f"{prefix}log", 0, -1)]
        await client.aclose()
        by_source = {c.source: c for c in stream}
        memory = InMemoryDedupIndex(Thresholds.from_settings(DedupSettings()))
        version = DedupSettings().version()
        for entry in entries:
            assert isinstance(entry, ledger.Batch)
            batch = [ledger.compact(by_source[c.source]) for c in entry.candidates]
            expected = [d.info(version) for d, _ in memory.decide(batch, now=entry.now)]
            assert decided[batch[0].source] == expected, batch[0].source
        assert len(entries) == len(batches)
        outcomes = sum((replica.decides for replica in replicas), Counter())
        assert outcomes["conflict_keys"] + outcomes["conflict_terms"] > 0, f"no conflict exercised: {outcomes}"
    finally:
        for replica in replicas:
            await replica.aclose()


async def test_a_replica_that_keeps_conflicting_decides_under_the_lease(
    redis_server: LocalRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redis_index, "OPTIMISTIC_DECIDES", 1)
    prefix = new_prefix()
    original = candidate(STORY, source="raw/0/1", url="https://a.example/x")
    copy = candidate(STORY + " Updated.", source="raw/1/1", url="https://b.example/y")
    async with open_redis(redis_server.url, prefix) as slow, open_redis(redis_server.url, prefix) as fast:
        landing_first(slow, fast, [original])
        (decided,) = await slow.check_and_insert([copy])
        assert (decided.status, decided.duplicate_of) == (DedupStatus.NEAR_DUPLICATE, original.article_id)
        assert slow.decides == {"conflict_keys": 1, "leased": 1}
    client = aioredis.Redis.from_url(redis_server.url)
    try:
        assert await client.get(f"{prefix}lease") is None, "given back with the append"
    finally:
        await client.aclose()


async def test_a_lease_another_replica_never_gives_back_makes_the_index_unavailable_not_a_hang(
    redis_server: LocalRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redis_index, "LEASE_WAIT_SECONDS", 0.05)
    prefix = new_prefix()
    client = aioredis.Redis.from_url(redis_server.url)
    try:
        async with open_redis(redis_server.url, prefix) as replica:
            await replica.check_and_insert([candidate(OTHER, source="raw/0/1")])
            await client.set(f"{prefix}lease", "a-stuck-replica", px=60_000)
            with pytest.raises(DedupIndexUnavailable, match="held the dedup lease"):
                await replica.check_and_insert([candidate(STORY, source="raw/0/2")])
            with pytest.raises(DedupIndexUnavailable, match="held the dedup lease"):
                await replica.track(["raw/0"])
            await client.delete(f"{prefix}lease")
            (decided,) = await replica.check_and_insert([candidate(STORY, source="raw/0/2")])
            assert decided.status is DedupStatus.UNIQUE, "the batch given up is decided afresh once the lease is free"
    finally:
        await client.aclose()


async def test_a_replica_whose_deciding_raises_under_the_lease_gives_it_back_at_once(
    redis_server: LocalRedis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(redis_index, "OPTIMISTIC_DECIDES", 0)  # straight to the lease
    prefix = new_prefix()
    client = aioredis.Redis.from_url(redis_server.url)
    try:
        async with open_redis(redis_server.url, prefix) as failing, open_redis(redis_server.url, prefix) as other:
            await failing.check_and_insert([candidate(OTHER, source="raw/0/1")])  # the copy exists, then fails

            def broken(*_: object, **__: object) -> None:
                raise RuntimeError("a bug while deciding")

            monkeypatch.setattr(failing._copy, "decide", broken)
            with pytest.raises(RuntimeError):
                await failing.check_and_insert([candidate(STORY, source="raw/0/2")])
            assert await client.get(f"{prefix}lease") is None, "released, not left to expire"
            (decided,) = await other.check_and_insert([candidate(STORY, source="raw/1/1")])
            assert decided.status is DedupStatus.UNIQUE
            assert other.decides == {"leased": 1}
    finally:
        await client.aclose()


async def test_a_replica_started_after_the_log_was_trimmed_loads_a_snapshot_and_decides_as_memory_does(
    redis_server: LocalRedis,
) -> None:
    """Snapshots every few articles: the log keeps only the entries since the one before last, and a replica
    that starts afterwards loads the latest snapshot, replays the rest and decides as one in-memory index."""
    prefix, settings = new_prefix(), DedupSettings()
    memory = InMemoryDedupIndex(Thresholds.from_settings(settings))
    texts = [f"{STORY} Item {n} concerns pier {n * 3} and boat {n * 11}." for n in range(12)]
    stream = [candidate(texts[n % 12] + (" Copy." if n >= 12 else ""), source=f"raw/{n % 2}/{n}",
                        url=f"https://s{n % 5}.example/{n % 12}") for n in range(30)]  # fmt: skip
    batches = [stream[start : start + 3] for start in range(0, len(stream), 3)]
    limits = Thresholds.from_settings(settings)
    client = aioredis.Redis.from_url(redis_server.url)
    try:
        async with RedisDedupIndex(url=redis_server.url, thresholds=limits, key_prefix=prefix, timeout_seconds=2.0,
                                   snapshot_articles=5) as first:  # fmt: skip
            for batch in batches[:7]:
                assert await first.check_and_insert(batch) == await memory.check_and_insert(batch)
        assert int(await client.get(f"{prefix}base") or 0) > 0, "trimmed"
        assert await client.llen(f"{prefix}log") < 7
        async with open_redis(redis_server.url, prefix) as later:
            for batch in batches[7:]:
                assert await later.check_and_insert(batch) == await memory.check_and_insert(batch)
            assert await later.size() == await memory.size()
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
