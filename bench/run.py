"""Offline pipeline benchmark: articles/s and per-stage microseconds over the demo stream, no broker.

The end-to-end broker benchmark (raw passthrough ceiling vs the service) is tracked in issue #6.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import orjson
from prometheus_client import CollectorRegistry

from news_ingest.app import build_pipeline
from news_ingest.config import Settings
from news_ingest.demo import demo_events
from news_ingest.metrics import Metrics
from news_ingest.models import Stage
from news_ingest.records import SourceRecord


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200, help="passes over the 52-event demo stream")
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args()

    registry = CollectorRegistry()
    pipeline = build_pipeline(Settings(), Metrics(registry))
    events = demo_events()
    records = [
        SourceRecord(topic="bench", partition=0, offset=i, key=None, value=value, timestamp_ms=0)
        for i, value in enumerate(events * args.repeat)
    ]
    started = time.perf_counter()
    for record in records:
        pipeline.handle(record)
    elapsed = time.perf_counter() - started

    stages = {}
    for stage in Stage:
        total = registry.get_sample_value("news_ingest_stage_duration_seconds_sum", {"stage": stage.value}) or 0.0
        count = registry.get_sample_value("news_ingest_stage_duration_seconds_count", {"stage": stage.value}) or 0.0
        stages[stage.value] = round(total / count * 1e6, 2) if count else None
    result = {
        "benchmark": "pipeline_offline",
        "articles": len(records),
        "seconds": round(elapsed, 3),
        "articles_per_second": round(len(records) / elapsed),
        "stage_us_per_article": stages,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "pipeline_offline.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    print(f"pipeline (offline, 1 core): {result['articles_per_second']} articles/s over {len(records)} articles")
    for stage, micros in stages.items():
        print(f"  {stage:<12} {micros} us/article")


if __name__ == "__main__":
    main()
