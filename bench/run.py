"""Offline pipeline benchmark: articles/s and per-stage microseconds over the demo stream, no broker.

The end-to-end broker benchmark (raw passthrough ceiling vs the service) is tracked in issue #6.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import time
from pathlib import Path

import orjson
from prometheus_client import CollectorRegistry

from news_ingest.app import build_normaliser, build_pipeline, build_tagger, settle_heap
from news_ingest.config import Settings, TagSettings
from news_ingest.demo import STORIES, demo_events
from news_ingest.metrics import Metrics
from news_ingest.models import RawArticle, Stage
from news_ingest.pipeline import Pipeline
from news_ingest.records import SourceRecord


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200, help="passes over the 52-event demo stream")
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument("--profile", choices=("fast", "full"), default="fast", help="the tag stage's profile")
    args = parser.parse_args()

    settings = Settings(tag=TagSettings(profile=args.profile))
    registry = CollectorRegistry()
    tagger = build_tagger(settings.tag)
    pipeline = build_pipeline(settings, Metrics(registry), tagger=tagger)
    events = demo_events()
    records = [
        SourceRecord(topic="bench", partition=0, offset=i, key=None, value=value, timestamp_ms=0)
        for i, value in enumerate(events * args.repeat)
    ]
    # one untimed pass through a throwaway pipeline: per-process, once-only loads (language model, each
    # language's word-weight table, 0.5-2 s each) are start-up costs, not per-article ones
    warm = build_pipeline(settings, Metrics(CollectorRegistry()), tagger=tagger)
    asyncio.run(run_batches(warm, records[: len(events)]))
    settle_heap(settings.runtime)  # as the service does once it is built
    started = time.perf_counter()
    asyncio.run(run_batches(pipeline, records))
    elapsed = time.perf_counter() - started
    tagger.close()

    stages = {}
    for stage in Stage:
        total = registry.get_sample_value("news_ingest_stage_duration_seconds_sum", {"stage": stage.value}) or 0.0
        count = registry.get_sample_value("news_ingest_stage_duration_seconds_count", {"stage": stage.value}) or 0.0
        stages[stage.value] = round(total / count * 1e6, 2) if count else None
    measured = sum(v for v in stages.values() if v)
    share = {stage: round(v / measured, 3) if v else None for stage, v in stages.items()}
    mean_bytes = sum(len(r.value or b"") for r in records) // len(records)
    result = {
        "benchmark": "pipeline_offline",
        "tag_profile": args.profile,
        "mean_input_bytes": mean_bytes,
        "normalise_us_per_3kb_article": normalise_3kb_us(),
        "stage_share_of_pipeline": share,
        "articles": len(records),
        "seconds": round(elapsed, 3),
        "articles_per_second": round(len(records) / elapsed),
        "stage_us_per_article": stages,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    core = ", 1 core" if args.profile == "fast" else f", NER in {settings.tag.ner_processes} worker processes"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"pipeline_offline_{args.profile}.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    print(
        f"pipeline (offline; tag profile {args.profile}{core}): {result['articles_per_second']} articles/s over"
        f" {len(records)} articles"
        f" (mean {mean_bytes} bytes)"
    )
    for stage, micros in stages.items():
        print(f"  {stage:<12} {micros} us/article  ({share[stage]:.0%} of pipeline time)")
    print(f"  normalise on a ~3 KB HTML article: {result['normalise_us_per_3kb_article']} us")


async def run_batches(pipeline: Pipeline, records: list[SourceRecord], *, batch: int = 500) -> None:
    for start in range(0, len(records), batch):
        await pipeline.handle_batch(records[start : start + batch])


def normalise_3kb_us(*, rounds: int = 300) -> float:
    """Mean microseconds of the normalise stage alone on a ~3 KB HTML article built from demo stories."""
    paragraphs = [p for story in STORIES for p in story.paragraphs]
    html = "<html><body><nav>Home</nav><article>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article>"
    html += "<footer>Norway Latest News, Norway Headlines</footer></body></html>"
    raw = RawArticle(url="https://a.example/x", title="Bench", body=html)
    normaliser = build_normaliser()
    started = time.perf_counter()
    for _ in range(rounds):
        normaliser(raw)
    per_article = (time.perf_counter() - started) / rounds * 1e6
    return round(per_article, 1) if len(html) > 2_500 else float("nan")


if __name__ == "__main__":
    main()
