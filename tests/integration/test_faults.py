"""Faults operators actually see, injected against the real broker and Redis; every input accounted for.

Each scenario prints what it injected and what it counted, so a failure says what was lost or duplicated.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from collections import defaultdict
from collections.abc import Awaitable, Callable

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from prometheus_client import CollectorRegistry

from news_ingest.app import Running, serve
from news_ingest.broker import EmbeddedBroker
from news_ingest.codec import decode_enriched
from news_ingest.config import Settings
from news_ingest.kafka import create_topics
from news_ingest.models import DedupStatus
from news_ingest.redis_server import LocalRedis
from tests.integration.conftest import Outputs, produce, read_outputs, service_env, start_group
from tests.integration.test_delivery import articles
from tests.integration.test_shared_index import story_copies, wait_for, with_redis

pytestmark = pytest.mark.integration


async def published(settings: Settings) -> int:
    """Records on the three output topics so far."""
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers, group_id=None)
    await consumer.start()
    try:
        topics = (settings.topics.enriched, settings.topics.duplicates, settings.topics.rejected)
        parts = [TopicPartition(t, p) for t in topics for p in range(settings.topics.partitions)]
        return sum((await consumer.end_offsets(parts)).values())
    finally:
        await consumer.stop()


def account(outputs: Outputs, written: list[tuple[int, int]]) -> dict[tuple[int, int], list[bytes]]:
    """Every input offset has an output, and every repeated output of an offset is the same bytes."""
    by_source = outputs.by_source()
    lost = set(written) - set(by_source)
    extra = set(by_source) - set(written)
    differing = [where for where, values in by_source.items() if len(set(values)) > 1]
    repeated = sum(len(values) - 1 for values in by_source.values())
    print(f"counted: inputs={len(written)} outputs={len(outputs.all)} repeated={repeated} lost={len(lost)} "
          f"unknown={len(extra)} differing={len(differing)}")  # fmt: skip
    assert not lost, f"lost offsets: {sorted(lost)[:10]}"
    assert not extra, f"outputs for offsets never written: {sorted(extra)[:10]}"
    assert not differing, f"re-published records differ for {differing[:5]}"
    return by_source


async def test_sigkill_at_random_points_then_restart_loses_nothing_and_republishes_identical_records(
    settings: Settings, redis_server: LocalRedis
) -> None:
    settings = with_redis(settings, redis_server)  # decisions survive the kills, so re-publication is identical
    events = [orjson.dumps(event) for story in range(300, 360) for event in story_copies(story)]
    events += articles(160, tag="kill")
    random.Random(9).shuffle(events)
    written = await produce(settings, events)
    env = service_env(settings, NEWS_INGEST_CONSUMER__MAX_BATCH_RECORDS="25")
    command = [sys.executable, "-m", "news_ingest.cli", "run"]
    rng = random.Random(11)
    kills = []
    for _ in range(4):
        before = await published(settings)
        process = await asyncio.create_subprocess_exec(*command, env=env, stdout=asyncio.subprocess.DEVNULL,
                                                       stderr=asyncio.subprocess.DEVNULL)  # fmt: skip
        target = before + rng.randint(1, 60)  # mid-stream; killed the moment a batch's outputs show up, so
        await wait_for_async(lambda target=target: reached(settings, target), seconds=60, what="output to grow")
        process.send_signal(signal.SIGKILL)  # often after publishing and before committing that batch
        await process.wait()
        kills.append(await published(settings))
    print(f"injected: SIGKILL x{len(kills)}, with {kills} outputs published at each kill")
    assert kills[-1] < len(written), "every kill landed mid-stream"
    final = await asyncio.create_subprocess_exec(*command, "--until-idle", env=env,
                                                 stdout=asyncio.subprocess.DEVNULL)  # fmt: skip
    assert await asyncio.wait_for(final.wait(), 120) == 0
    outputs = await read_outputs(settings, expected=len(written))
    by_source = account(outputs, written)
    print(f"re-published offsets (killed after publish, before commit): {sum(len(v) > 1 for v in by_source.values())}")
    decided = {}  # one decision per input offset: its repeats are the same bytes (checked above)
    for record in [*outputs.enriched, *outputs.duplicates]:
        headers = dict(record.headers)
        decided.setdefault((headers["source-partition"], headers["source-offset"]), record.value or b"")
    by_story: dict[str, list[tuple[DedupStatus, str]]] = defaultdict(list)
    for value in decided.values():
        article = decode_enriched(value)
        if article.url.startswith(("https://first", "https://second", "https://third")):
            by_story[article.url.split("/")[-1].split("?")[0]].append((article.dedup.status, article.dedup.cluster_id))
    assert len(by_story) == 60
    for story, decisions in by_story.items():  # decided once, across the kills: one original, one cluster
        assert [status for status, _ in decisions].count(DedupStatus.UNIQUE) == 1, f"{story}: {decisions}"
        assert len({cluster for _, cluster in decisions}) == 1, f"{story}: {decisions}"


async def reached(settings: Settings, target: int) -> bool:
    return await published(settings) >= target


async def wait_for_async(condition: Callable[[], Awaitable[bool]], *, seconds: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not await condition():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_broker_paused_past_the_request_timeout_then_resumed_loses_nothing() -> None:
    with EmbeddedBroker() as broker:  # its own broker: the pause must not reach other tests
        settings = Settings(
            # the client's own timeout stays at its default: Tansu holds a JoinGroup for several seconds
            kafka={"bootstrap_servers": broker.bootstrap_servers},  # type: ignore[arg-type]
            topics={
                "raw": "pause.raw",
                "enriched": "pause.enriched",
                "duplicates": "pause.dup",  # type: ignore[arg-type]
                "rejected": "pause.rejected",
            },
            consumer={"group_id": "pause", "max_batch_records": 5},  # type: ignore[arg-type]
            producer={"request_timeout_ms": 2_000},  # type: ignore[arg-type]
            http={"port": 0},  # type: ignore[arg-type]
            runtime={
                "broker_probe_interval_seconds": 0.5,
                "broker_probe_timeout_seconds": 1.0,  # type: ignore[arg-type]
                "retry_initial_seconds": 0.2,
                "retry_max_seconds": 1.0,
            },
        )
        await create_topics(settings.kafka, settings.topics)
        written = await produce(settings, articles(150, tag="pause"))
        stop = asyncio.Event()
        started: list[Running] = []

        async def remember(running: Running) -> None:
            started.append(running)

        service = asyncio.create_task(serve(settings, stop=stop, registry=CollectorRegistry(), on_started=remember))
        await wait_for(lambda: bool(started) and processed(started[0]) >= 20, seconds=40, what="output to flow")
        running = started[0]
        assert broker.pid is not None
        os.kill(broker.pid, signal.SIGSTOP)
        paused_at = processed(running)
        try:
            await wait_for(lambda: not running.readiness.ready, seconds=15, what="readiness to go false")
            await asyncio.sleep(7.0)  # past the produce request and probe timeouts: publishes fail and are retried
            during = processed(running)
        finally:
            os.kill(broker.pid, signal.SIGCONT)
        await wait_for(lambda: processed(running) >= len(written), seconds=60, what="the rest of the stream")
        await wait_for(lambda: running.readiness.ready, seconds=30, what="readiness to come back")
        assert not service.done(), "the service rode out the outage: no crash, no exit"
        stop.set()
        await service
        outputs = await read_outputs(settings, expected=len(written))
    print(f"injected: SIGSTOP of the broker for 7+ s after {paused_at} outputs; {during} during the pause")
    assert during - paused_at <= settings.consumer.max_batch_records, "at most the batch in flight finished"
    account(outputs, written)


def processed(running: Running) -> int:
    return sum(running.metrics.outcome_totals().values())


async def test_a_member_joining_and_one_leaving_under_load_account_for_every_input(settings: Settings) -> None:
    settings = settings.model_copy(update={"consumer": settings.consumer.model_copy(update={"max_batch_records": 5})})
    group = await start_group(settings, 2)
    events = articles(600, tag="churn")
    writer = asyncio.create_task(produce_slowly(settings, events))
    await asyncio.sleep(1.5)
    joined = await start_group(settings, 1)  # a third member joins mid-stream (returns once it has partitions)...
    await asyncio.sleep(1.0)
    group.stops[0].set()  # ...and one of the first two leaves
    left = await group.tasks[0]
    written = await writer
    await wait_for(lambda: group.processed() + joined.processed() >= len(written), seconds=60,
                   what="every event processed")  # fmt: skip
    for stop in (*group.stops, *joined.stops):
        stop.set()
    summaries = [left, *await asyncio.gather(*group.tasks[1:], *joined.tasks)]
    outputs = await read_outputs(settings, expected=len(written))
    consumed = [summary.consumed for summary in summaries]
    print(f"injected: a join 1.5 s into the stream, a leave once it has partitions; consumed per member {consumed}")
    account(outputs, written)
    assert all(summary.consumed > 0 for summary in summaries), "all three members took a share"
    assert len(outputs.all) == len(written), "graceful membership changes commit before partitions move"


async def produce_slowly(settings: Settings, events: list[bytes]) -> list[tuple[int, int]]:
    """Produce in small groups over a few seconds, so the stream is flowing while members come and go."""
    written: list[tuple[int, int]] = []
    for start in range(0, len(events), 20):
        written += await produce(settings, events[start : start + 20])
        await asyncio.sleep(0.4)
    return written
