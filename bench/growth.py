"""Cost growth: the whole pipeline's articles/s with 10k, 100k and 1M articles already in the dedup window.

Does the dedup stage slow down as the index grows? For each size, a fresh in-memory index is filled with that
many synthetic articles (``bench.dedup.synthetic_candidates``: random sketches, 25 salient terms, one in ten a
near-copy) spread over the 72 h window, so all but the newest generation are sealed as in a live stream; then
the same stream of generated raw events (``news_ingest.evaluation.synthetic``, times moved to the hour after the
fill) runs through the pipeline with the fast tag profile, in consumer-sized batches. Offline: the broker's share of the
cost does not depend on the index (``bench/e2e.py`` measures it).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
from prometheus_client import CollectorRegistry

from bench.dedup import synthetic_candidates
from news_ingest.app import build_pipeline, build_tagger, settle_heap
from news_ingest.config import Settings, TagSettings
from news_ingest.deduplicate.index import Candidate, Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from news_ingest.evaluation.synthetic import generate
from news_ingest.metrics import Metrics
from news_ingest.pipeline import Pipeline
from news_ingest.records import SourceRecord
from news_ingest.tag.stage import Tagger

BATCH = 500
FILL_END = 1_790_000_000.0 + 72 * 3600  # where bench.dedup's synthetic articles end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="articles in the window, comma-separated")
    parser.add_argument("--stream", type=int, default=4_000, help="generated events timed at each size")
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    settings = Settings(tag=TagSettings(profile="fast"))
    stream = records(args.stream)
    tagger = build_tagger(settings.tag)
    try:
        warm = build_pipeline(settings, Metrics(CollectorRegistry()), tagger=tagger)
        asyncio.run(run(warm, stream))  # once-per-process loads (word tables per language) are not timed
        rows = [asyncio.run(at_size(int(size), settings, stream, tagger)) for size in args.sizes.split(",")]
    finally:
        tagger.close()
    result = {"benchmark": "growth", "stream": len(stream), "rows": rows, "python": platform.python_version(),
              "machine": platform.machine()}  # fmt: skip
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "growth.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    (args.out / "growth.md").write_text(table(result))
    print(table(result))


def records(count: int) -> list[SourceRecord]:
    """Generated events with their times moved into the hour after the fill, in stream order."""
    built = []
    for offset, (written, _) in enumerate(generate(count, seed=11)):
        moment = datetime.fromtimestamp(FILL_END + offset * 3600 / count, tz=UTC).isoformat()
        value = written
        try:
            event = orjson.loads(written)
            if isinstance(event, dict):
                value = orjson.dumps(event | {"published_at": moment})
        except orjson.JSONDecodeError:
            pass  # malformed on purpose: it stays as written and is rejected
        built.append(SourceRecord(topic="bench.raw", partition=0, offset=offset, key=None, value=value))
    return built


async def at_size(size: int, settings: Settings, stream: list[SourceRecord], tagger: Tagger) -> dict[str, object]:
    settle_heap(settings.runtime)  # as the service does before its index fills
    index = InMemoryDedupIndex(Thresholds.from_settings(settings.dedup))
    seconds = settings.dedup.generation_hours * 3600
    fill = [dataclasses.replace(c, generation=int(c.timestamp // seconds)) for c in synthetic_candidates(size,
            settings.dedup)]  # fmt: skip
    started = time.perf_counter()
    await fill_index(index, fill)
    fill_seconds = time.perf_counter() - started
    del fill
    gc.collect()
    metrics = Metrics(CollectorRegistry())
    pipeline = build_pipeline(settings, metrics, index, tagger)
    started = time.perf_counter()
    await run(pipeline, stream)
    elapsed = time.perf_counter() - started
    means = metrics.stage_means_us()
    row = {"window_articles": size, "articles_per_s": round(len(stream) / elapsed, 1),
           "dedup_us_per_article": means["deduplicate"], "stage_us": means,
           "index_entries_after": await index.size(), "fill_seconds": round(fill_seconds, 1)}  # fmt: skip
    print(f"{size:>9,} in the window: {row['articles_per_s']:,} articles/s, dedup {row['dedup_us_per_article']} µs")
    return row


async def fill_index(index: InMemoryDedupIndex, candidates: list[Candidate]) -> None:
    for start in range(0, len(candidates), BATCH):
        await index.check_and_insert(candidates[start : start + BATCH])


async def run(pipeline: Pipeline, stream: list[SourceRecord]) -> None:
    for start in range(0, len(stream), BATCH):
        await pipeline.handle_batch(stream[start : start + BATCH])


def table(result: dict[str, object]) -> str:
    rows = result["rows"]
    assert isinstance(rows, list)
    lines = ["| articles in the window | pipeline articles/s (fast) | dedup µs/article | index fill (s) |",
             "|---|---|---|---|"]  # fmt: skip
    lines += [
        f"| {r['window_articles']:,} | {r['articles_per_s']:,} | {r['dedup_us_per_article']} | {r['fill_seconds']} |"
        for r in rows
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
