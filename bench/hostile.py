"""Hostile-input benchmark: what the worst records cost, and whether the service stays responsive meanwhile.

Three measures, each printed and written to bench/results/hostile.json:
- hot bands: 20,000 near-copies of one story inserted into each index backend (memory, Redis), in consumer
  batches; the cost per article for each 2,000-copy step should stay flat (the candidates per band key are
  bounded), where it grew with the number of copies before;
- worst-case bodies: the whole pipeline (decode to encode) over 1 MB bodies of shapes built to be slow (long
  paragraphs sharing words, one long line, many short lines); seconds per record;
- /livez under load: the service on the embedded broker processes a backlog of those bodies while /livez is
  probed every 50 ms; the probe's p50 / p99 / max latency in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import platform
import random
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import orjson
from prometheus_client import CollectorRegistry

from news_ingest.app import Running, build_pipeline, build_tagger, serve
from news_ingest.broker import EmbeddedBroker
from news_ingest.config import DedupSettings, TagSettings, load_settings
from news_ingest.deduplicate.index import DedupIndex, Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from news_ingest.deduplicate.redis_index import RedisDedupIndex
from news_ingest.deduplicate.stage import Deduplicator
from news_ingest.demo import STORIES
from news_ingest.kafka import create_topics, produce_values
from news_ingest.metrics import Metrics
from news_ingest.models import Article
from news_ingest.normalise.stage import content_digest
from news_ingest.records import SourceRecord
from news_ingest.redis_server import LocalRedis

BATCH = 500
COPIES = 20_000
STEP = 2_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=COPIES, help="near-copies of one story per backend")
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    result: dict[str, object] = {"benchmark": "hostile"}
    settings = DedupSettings()
    copies = near_copies(args.copies)
    result["hot_bands_memory"] = asyncio.run(
        hot_bands(InMemoryDedupIndex(Thresholds.from_settings(settings)), copies, settings)
    )
    with LocalRedis() as redis:
        prefix = f"bench-{uuid.uuid4().hex[:8]}:{{dedup}}:"
        limits = Thresholds.from_settings(settings)
        index = RedisDedupIndex(url=redis.url, thresholds=limits, key_prefix=prefix, timeout_seconds=30.0)
        result["hot_bands_redis"] = asyncio.run(hot_bands(index, copies, settings))
    result["worst_bodies"] = worst_bodies()
    result["livez_under_load"] = asyncio.run(livez_under_load())
    result |= {"python": platform.python_version(), "machine": platform.machine()}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "hostile.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    report(result)


def near_copies(count: int) -> list[Article]:
    """``count`` copies of one demo story, each with one word changed (so every copy is a near-duplicate with
    its own URL and content hash, and all of them share most LSH bands)."""
    story = STORIES[0]
    words = "\n\n".join(story.paragraphs).split(" ")
    rng = random.Random(20261204)
    articles = []
    for n in range(count):
        changed = list(words)
        changed[rng.randrange(len(changed))] = f"variant{n}"
        body = " ".join(changed)
        digest = content_digest(story.title, body)
        articles.append(Article(article_id=uuid.UUID(int=n + 1).hex, url=f"https://copies.example/{n}",
                                canonical_url=f"https://copies.example/{n}", title=story.title, body=body,
                                content_hash=digest, word_count=len(changed), language="en"))  # fmt: skip
    return articles


async def hot_bands(index: DedupIndex, copies: list[Article], settings: DedupSettings) -> list[dict[str, float]]:
    """Microseconds per article for each ``STEP`` copies inserted (sketching excluded: it is per article)."""
    deduplicate = Deduplicator(index=index, settings=settings)
    candidates = deduplicate.candidates([(f"hot/0/{n}", article) for n, article in enumerate(copies)])
    steps, spent = [], 0.0
    for start in range(0, len(candidates), BATCH):
        began = time.perf_counter()
        await index.check_and_insert(candidates[start : start + BATCH])
        spent += time.perf_counter() - began
        done = start + BATCH
        if done % STEP == 0 or done >= len(candidates):
            indexed = min(done, len(candidates))
            steps.append({"copies_indexed": indexed, "us_per_article": round(spent / STEP * 1e6)})
            spent = 0.0
    with contextlib.suppress(AttributeError):
        await index.aclose()  # type: ignore[attr-defined]
    return steps


def _long_paragraphs(rng: random.Random) -> str:
    vocabulary = [f"w{n}x" for n in range(50_000)]
    return "\n\n".join("Aardvark " + " ".join(rng.choice(vocabulary) for _ in range(40)) for _ in range(3_500))


def _one_long_line(rng: random.Random) -> str:
    vocabulary = [f"Name{n}" for n in range(5_000)]
    return " ".join(rng.choice(vocabulary) + rng.choice([" said", " of", ",", "."]) for _ in range(120_000))


def _short_lines(rng: random.Random) -> str:
    return "\n".join(f"The harbour {rng.randrange(10**6)} and the wall {rng.randrange(10**6)}." for _ in range(24_000))


SHAPES: dict[str, Callable[[random.Random], str]] = {
    "long paragraphs sharing a word": _long_paragraphs,
    "one long line of names": _one_long_line,
    "short lines": _short_lines,
}


def _bodies(seed: int = 7) -> dict[str, bytes]:
    """One ~980 KB record of each shape (under the default 1 MB input limit), distinct for each seed."""
    rng = random.Random(seed)
    return {name: orjson.dumps({"url": f"https://hostile.example/{seed}", "body": build(rng)[:980_000]})
            for name, build in SHAPES.items()}  # fmt: skip


def worst_bodies() -> dict[str, float]:
    """Seconds for the whole pipeline over one ~1 MB record of each shape."""
    tagger = build_tagger(TagSettings(profile="fast"))
    settings = load_settings(limits={"max_message_bytes": 1_000_000})
    pipeline = build_pipeline(settings, Metrics(CollectorRegistry()), tagger=tagger)
    seconds = {}
    for n, (name, value) in enumerate(_bodies().items()):
        record = SourceRecord(topic="raw", partition=0, offset=n, key=None, value=value)
        began = time.perf_counter()
        asyncio.run(pipeline.handle_batch([record]))
        seconds[name] = round(time.perf_counter() - began, 3)
    tagger.close()
    return seconds


async def livez_under_load(records: int = 60) -> dict[str, float]:
    """/livez latency while the service drains ``records`` worst-case bodies from the embedded broker."""
    values = [body for seed in range(records // len(SHAPES)) for body in _bodies(seed).values()]
    latencies: list[float] = []

    async def probe(running: Running) -> None:
        host, port = running.http_url.removeprefix("http://").split(":")
        while True:
            began = time.perf_counter()
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(b"GET /livez HTTP/1.1\r\n\r\n")
            await writer.drain()
            await reader.read()
            writer.close()
            latencies.append((time.perf_counter() - began) * 1000)
            await asyncio.sleep(0.05)

    with EmbeddedBroker() as broker:
        prefix = f"hostile.{uuid.uuid4().hex[:8]}"
        settings = load_settings(
            kafka={"bootstrap_servers": broker.bootstrap_servers},
            topics={"raw": f"{prefix}.raw.v1", "enriched": f"{prefix}.enriched.v1",
                    "duplicates": f"{prefix}.duplicates.v1", "rejected": f"{prefix}.rejected.v1", "partitions": 1},
            http={"port": 0}, tag={"profile": "fast"}, consumer={"max_batch_records": 20, "group_id": prefix},
            limits={"max_message_bytes": 1_000_000},
        )  # fmt: skip
        await create_topics(settings.kafka, settings.topics)
        await produce_values(settings.kafka, settings.topics.raw, values)
        began = time.perf_counter()
        summary = await serve(settings, until_idle=True, on_started=probe)
        took = time.perf_counter() - began
    latencies.sort()
    return {
        "records": summary.consumed,
        "seconds": round(took, 1),
        "probes": len(latencies),
        "p50_ms": round(latencies[len(latencies) // 2], 1) if latencies else -1.0,
        "p99_ms": round(latencies[int(len(latencies) * 0.99)], 1) if latencies else -1.0,
        "max_ms": round(latencies[-1], 1) if latencies else -1.0,
    }


def report(result: dict[str, object]) -> None:
    print("hostile input")
    for backend in ("hot_bands_memory", "hot_bands_redis"):
        steps = result[backend]
        assert isinstance(steps, list)
        line = "  ".join(f"{step['copies_indexed']}: {step['us_per_article']}" for step in steps)
        print(f"  {backend}: us per article by copies indexed  {line}")
    bodies = result["worst_bodies"]
    assert isinstance(bodies, dict)
    for name, seconds in bodies.items():
        print(f"  1 MB body, {name}: {seconds} s")
    print(f"  /livez while draining worst-case bodies: {result['livez_under_load']}")


if __name__ == "__main__":
    main()
