"""The dedup index contract: the in-memory and the Redis index are held to the same assertions."""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest

from news_ingest.config import DedupSettings
from news_ingest.deduplicate import multimap
from news_ingest.deduplicate.index import BAND_CANDIDATES, Candidate, DedupIndex, Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from news_ingest.deduplicate.redis_index import RedisDedupIndex
from news_ingest.deduplicate.stage import Deduplicator
from news_ingest.models import Article, DedupStatus
from news_ingest.redis_server import LocalRedis
from tests.dedup_cases import FIRE, FIRE_RETOLD, HOUR, OTHER, OTHER_FIRE, STORY, candidate

pytestmark = pytest.mark.integration


def redis_index(
    redis: LocalRedis, settings: DedupSettings, prefix: str, clock: Callable[[], float] = time.time
) -> RedisDedupIndex:
    limits = Thresholds.from_settings(settings)
    return RedisDedupIndex(url=redis.url, thresholds=limits, key_prefix=prefix, timeout_seconds=2.0, clock=clock)


OpenIndex = Callable[..., DedupIndex]


@pytest.fixture(params=["memory", "redis"])
async def open_index(request: pytest.FixtureRequest) -> AsyncIterator[OpenIndex]:
    """Opens indexes of the backend under test (``clock``: wall time, injected); Redis ones get a key prefix
    of their own and are closed after."""
    opened: list[RedisDedupIndex] = []

    def make(settings: DedupSettings, clock: Callable[[], float] = time.time) -> DedupIndex:
        if request.param == "memory":
            return InMemoryDedupIndex(Thresholds.from_settings(settings), clock=clock)
        redis: LocalRedis = request.getfixturevalue("redis_server")
        opened.append(redis_index(redis, settings, f"test:{{{uuid.uuid4().hex}}}:", clock))
        return opened[-1]

    yield make
    for index in opened:
        await index.aclose()


@pytest.fixture
def index(open_index: OpenIndex) -> DedupIndex:
    return open_index(DedupSettings())


async def test_first_article_of_a_story_is_unique_and_its_own_cluster(index: DedupIndex) -> None:
    first = candidate(STORY, source="raw/0/1")
    (decision,) = await index.check_and_insert([first])
    assert decision.status is DedupStatus.UNIQUE
    assert decision.cluster_id == first.article_id
    assert decision.settings_version == DedupSettings().version()


async def test_same_canonical_url_within_window_is_exact_duplicate_by_url(index: DedupIndex) -> None:
    first = candidate(STORY, source="raw/0/1", url="https://a.example/harbour")
    again = candidate(STORY + " Updated.", source="raw/0/2", url="https://a.example/harbour")
    first_decision, second = await index.check_and_insert([first, again])
    assert (second.status, second.method, second.duplicate_of) == (
        DedupStatus.EXACT_DUPLICATE,
        "url",
        first.article_id,
    )
    assert second.cluster_id == first_decision.cluster_id


async def test_same_content_at_another_url_is_exact_duplicate_by_content(index: DedupIndex) -> None:
    first = candidate(STORY, source="raw/0/1", url="https://a.example/x")
    copy = dataclasses.replace(
        candidate(STORY, source="raw/1/7", url="https://b.example/y"), content_hash=first.content_hash
    )
    _, decision = await index.check_and_insert([first, copy])
    assert (decision.status, decision.method, decision.duplicate_of) == (
        DedupStatus.EXACT_DUPLICATE,
        "content",
        first.article_id,
    )


async def test_edited_syndicated_copy_is_a_near_duplicate_in_the_same_cluster(index: DedupIndex) -> None:
    first = candidate(STORY, source="raw/0/1")
    edited = candidate(STORY.replace("The mayor thanked the crews.", "Officials thanked rescue crews."),
                       source="raw/2/3", url="https://b.example/harbour")  # fmt: skip
    _, decision = await index.check_and_insert([first, edited])
    assert decision.status is DedupStatus.NEAR_DUPLICATE
    assert decision.method == "minhash"
    assert decision.duplicate_of == first.article_id
    assert decision.cluster_id == first.article_id
    assert decision.similarity is not None
    assert decision.similarity >= DedupSettings().near_jaccard


async def test_abridged_copy_is_caught_by_containment(index: DedupIndex) -> None:
    first = candidate(STORY + " " + OTHER.replace("central bank", "harbour board"), source="raw/0/1")
    abridged = candidate(STORY[:160], source="raw/1/1", url="https://c.example/short")
    _, decision = await index.check_and_insert([first, abridged])
    assert decision.status is DedupStatus.NEAR_DUPLICATE
    assert decision.method == "containment"
    assert decision.duplicate_of == first.article_id


async def test_an_extended_copy_of_an_article_indexed_first_is_caught_by_containment(index: DedupIndex) -> None:
    """The abridged copy arrived first (another partition, a faster feed): the full article that comes
    after it is the copy, not a new story."""
    abridged = candidate(STORY[:160], source="raw/1/1", url="https://c.example/short")
    full = candidate(STORY + " " + OTHER.replace("central bank", "harbour board"), source="raw/0/1")
    _, decision = await index.check_and_insert([abridged, full])
    assert (decision.status, decision.method) == (DedupStatus.NEAR_DUPLICATE, "containment")
    assert decision.duplicate_of == abridged.article_id


async def test_different_story_is_unique(index: DedupIndex) -> None:
    _, decision = await index.check_and_insert([candidate(STORY, source="raw/0/1"), candidate(OTHER, source="raw/0/2")])
    assert decision.status is DedupStatus.UNIQUE


async def test_a_reconsumed_offset_gets_its_first_decision_not_duplicate_of_itself(index: DedupIndex) -> None:
    first = candidate(STORY, source="raw/0/1")
    copy = candidate(STORY + " More.", source="raw/0/2", url="https://b.example/z")
    decisions = await index.check_and_insert([first, copy])
    replayed = await index.check_and_insert([first, copy])  # a crash before commit: the batch comes back
    assert replayed == decisions
    assert replayed[0].status is DedupStatus.UNIQUE


async def test_max_entries_bounds_the_index(open_index: OpenIndex) -> None:
    bounded = open_index(DedupSettings(max_entries=3))
    texts = [f"{OTHER} Story number {n} is about item {n * 7} in district {n * 13}." for n in range(6)]
    await bounded.check_and_insert([candidate(t, source=f"raw/0/{n}", generation=n) for n, t in enumerate(texts)])
    assert await bounded.size() <= 3


async def test_empty_batch_is_a_no_op(index: DedupIndex) -> None:
    assert await index.check_and_insert([]) == []
    assert await index.size() == 0


async def test_ping_answers_when_the_index_is_up(index: DedupIndex) -> None:
    await index.ping()
    assert await index.size() == 0


async def test_memory_held_is_reported_and_grows_with_the_index(index: DedupIndex) -> None:
    empty = await index.memory_bytes()
    texts = [" ".join(f"story{n}word{k}" for k in range(60)) for n in range(200)]
    await index.check_and_insert([candidate(text, source=f"raw/0/{n}") for n, text in enumerate(texts)])
    assert 0 < empty < await index.memory_bytes()


async def test_another_write_up_of_the_event_joins_its_story_without_being_a_duplicate(index: DedupIndex) -> None:
    first = candidate(FIRE, source="raw/0/1")
    first_decision, retold = await index.check_and_insert([first, candidate(FIRE_RETOLD, source="raw/1/1")])
    assert (retold.status, retold.method, retold.duplicate_of) == (DedupStatus.UNIQUE, "story", None)
    assert retold.cluster_id == first_decision.cluster_id == first.article_id
    assert retold.similarity is not None
    assert retold.similarity >= DedupSettings().story_similarity


async def test_a_similar_but_different_event_starts_its_own_story(index: DedupIndex) -> None:
    first = candidate(FIRE, source="raw/0/1")
    other = candidate(OTHER_FIRE, source="raw/1/1")
    _, decision = await index.check_and_insert([first, other])
    assert (decision.status, decision.method, decision.cluster_id) == (DedupStatus.UNIQUE, None, other.article_id)


async def test_a_story_quiet_for_longer_than_the_story_window_takes_no_new_members(index: DedupIndex) -> None:
    window = DedupSettings().story_window_hours * HOUR
    first = candidate(FIRE, source="raw/0/1", timestamp=1_790_000_000.0)
    late = candidate(FIRE_RETOLD, source="raw/0/2", timestamp=1_790_000_000.0 + window + HOUR)
    _, decision = await index.check_and_insert([first, late])
    assert (decision.method, decision.cluster_id) == (None, late.article_id)


def copies(count: int) -> list[Candidate]:
    """``count`` near-copies of one story (one word added to each), all sharing most LSH bands."""
    return [candidate(f"{STORY} Edition {n}.", source=f"raw/0/{n}", url=f"https://copies.example/{n}")
            for n in range(count)]  # fmt: skip


async def test_a_story_copied_many_times_still_links_every_copy_to_its_original_cluster(index: DedupIndex) -> None:
    stream = copies(3 * BAND_CANDIDATES)
    decisions = [decision for start in range(0, len(stream), 7)
                 for decision in await index.check_and_insert(stream[start : start + 7])]  # fmt: skip
    assert decisions[0].status is DedupStatus.UNIQUE
    assert all(d.status is DedupStatus.NEAR_DUPLICATE for d in decisions[1:])
    assert {d.cluster_id for d in decisions} == {stream[0].article_id}, "every copy joins the original's cluster"


async def test_both_backends_decide_a_hot_band_alike(redis_server: LocalRedis) -> None:
    """Past ``BAND_CANDIDATES`` copies per band key, each backend keeps the first and the most recent ones:
    the same candidates, so the same decisions."""
    settings = DedupSettings()
    memory = InMemoryDedupIndex(Thresholds.from_settings(settings))
    redis = redis_index(redis_server, settings, f"test:{{{uuid.uuid4().hex}}}:")
    stream = copies(3 * BAND_CANDIDATES)
    try:
        for start in range(0, len(stream), 5):
            chunk = stream[start : start + 5]
            assert await memory.check_and_insert(chunk) == await redis.check_and_insert(chunk), start
    finally:
        await redis.aclose()
    held = [len(list(multimap.members(ids))) for ids in memory._bands.values()]
    assert max(held) == BAND_CANDIDATES, "a band key holds the first and the most recent copies, no more"


async def test_one_far_future_article_cannot_expire_the_window(open_index: OpenIndex) -> None:
    """An article dated in the year 9999 (however it got past normalise) moves the window no further than
    the clock allows: the next re-post of an article from the last hour is still an exact duplicate."""
    settings = DedupSettings()
    deduplicate = Deduplicator(index=open_index(settings), settings=settings)
    now = datetime.now(UTC)

    def article(n: int, body: str, published: datetime) -> Article:
        return Article(article_id=f"{n:032x}", url=f"https://far.example/{n}", canonical_url=f"https://far.example/{n}",
                       title=None, body=body, content_hash=f"{n:032x}", word_count=len(body.split()),
                       language="en", published_at=published)  # fmt: skip

    original = article(1, STORY, now - timedelta(hours=1))
    far = article(2, OTHER, datetime(9999, 12, 31, 23, 0, tzinfo=UTC))
    later = article(3, FIRE, now)
    repost = dataclasses.replace(original, article_id=f"{4:032x}")  # same URL, new message
    decisions = [
        (await deduplicate([(f"raw/0/{n}", item)]))[0] for n, item in enumerate([original, far, later, repost])
    ]
    assert decisions[3].status is DedupStatus.EXACT_DUPLICATE
    assert decisions[3].duplicate_of == original.article_id


WINDOWS = DedupSettings(window_hours=12, exact_window_hours=24, generation_hours=6, allowed_lateness_hours=0,
                        idle_partition_seconds=60)  # fmt: skip


async def fill(index: DedupIndex, generation: int, partition: str = "raw/0") -> None:
    """Three unrelated articles of one generation on a partition: its watermark reaches that generation."""
    await index.check_and_insert([candidate(f"{OTHER} Filler {generation} number {n}.",
                                            source=f"{partition}/g{generation}n{n}", generation=generation)
                                  for n in range(3)])  # fmt: skip


async def test_both_backends_expire_on_the_event_time_watermark(open_index: OpenIndex) -> None:
    """One clock for both: sketches leave a sketch window behind the slowest partition's front, exact keys
    an exact window behind it, a partition not yet heard from holds it, and a silent one stops holding it
    after ``idle_partition_seconds`` of (injected) wall time. Insert time plays no part."""
    now = [5_000.0]
    index = open_index(WINDOWS, clock=lambda: now[0])
    await index.track(["raw/0", "raw/1"])
    story = candidate(STORY, source="raw/0/1", url="https://a.example/x", generation=10)
    await index.check_and_insert([story])
    for generation in range(11, 20):  # partition 0's backlog runs far ahead; partition 1 has sent nothing
        await fill(index, generation)
    assert await index.watermark() == float("-inf")
    (copy,) = await index.check_and_insert([candidate(STORY + " Updated.", source="raw/1/1", generation=10)])
    assert (copy.status, copy.duplicate_of) == (DedupStatus.NEAR_DUPLICATE, story.article_id)

    await fill(index, 12, "raw/1")  # partition 1 catches up to generation 12: sketch cutoff 11, exact 9
    assert await index.watermark() == 12 * 6 * 3600 + 60.0
    (edited,) = await index.check_and_insert([candidate(STORY + " Revised.", source="raw/1/2", generation=12)])
    assert edited.status is DedupStatus.UNIQUE
    (repost,) = await index.check_and_insert([candidate(STORY, source="raw/1/3", url="https://a.example/x",
                                                        generation=12)])  # fmt: skip
    assert (repost.status, repost.method) == (DedupStatus.EXACT_DUPLICATE, "url")

    now[0] += 61  # partition 1 falls silent; partition 0 delivers again and the watermark follows it alone
    await fill(index, 20)
    assert await index.watermark() == 20 * 6 * 3600 + 60.0
    (gone,) = await index.check_and_insert([candidate(STORY, source="raw/0/9", url="https://a.example/x",
                                                      generation=20)])  # fmt: skip
    assert gone.status is DedupStatus.UNIQUE


async def test_both_backends_decide_a_backfill_alike(redis_server: LocalRedis) -> None:
    """Three partitions read one after the other over many generations, copies on other partitions, one clock:
    every decision the same."""
    now = [9_000.0]
    memory = InMemoryDedupIndex(Thresholds.from_settings(WINDOWS), clock=lambda: now[0])
    redis = redis_index(redis_server, WINDOWS, f"agree:{{{uuid.uuid4().hex}}}:", lambda: now[0])
    texts = [f"{STORY} Item {n} concerns pier {n * 3} and boat {n * 11}." for n in range(30)]
    stream = []
    for partition in range(3):
        for n in range(30):
            generation = 10 + (n + 7 * partition) % 30  # each partition's backlog out of time order
            stream.append(candidate(texts[(n + partition) % 30] + (" Copy." if partition else ""),
                                    source=f"raw/{partition}/{n}", generation=generation))  # fmt: skip
    try:
        for backend in (memory, redis):
            await backend.track(["raw/0", "raw/1", "raw/2"])
        for start in range(0, len(stream), 4):
            now[0] += 5
            chunk = stream[start : start + 4]
            assert await memory.check_and_insert(chunk) == await redis.check_and_insert(chunk), start
        assert await memory.watermark() == await redis.watermark()
    finally:
        await redis.aclose()
