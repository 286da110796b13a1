"""One markdown page of the latest ``make bench`` figures: ``bench/results/summary.md``, from each bench's JSON.

Run last by ``make bench``; a bench whose JSON is missing (skipped for want of data, or not run) is listed as such.
"""

from __future__ import annotations

import argparse
import os
import platform
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

Rows = list[tuple[str, object]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    page = render(args.out)
    (args.out / "summary.md").write_text(page)
    print(page)


def render(folder: Path) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores"
    lines = [f"# news-ingest benchmarks ({now}; {machine})", ""]
    for title, name, rows in SECTIONS:
        path = folder / f"{name}.json"
        lines += [f"## {title}", ""]
        if not path.exists():
            lines += [f"not run (no `{path.name}`)", ""]
            continue
        lines += ["| figure | value |", "|---|---|"]
        lines += [f"| {label} | {value} |" for label, value in rows(orjson.loads(path.read_bytes()))]
        lines.append("")
    return "\n".join(lines)


def e2e(r: dict[str, Any]) -> Rows:
    paced, fast = r["latency_fast_at_half_rate"], r["b_service_fast"]
    rows: Rows = [
        ("(a) raw passthrough, articles/s", r["a_passthrough"]["articles_per_s"]),
        ("(b) service fast, 1 process, articles/s", r["b_service_fast"]["articles_per_s"]),
        ("(b) service fast, 2 processes, articles/s", r["b_service_fast_2_processes"]["articles_per_s"]),
        ("(c) service full, articles/s", r["c_service_full"]["articles_per_s"]),
        ("(d) bare nlp.pipe, articles/s", r["d_bare_nlp_pipe"]["articles_per_s"]),
        ("(b)/(a)", r["ratio_b_over_a"]),
        ("2 processes / 1", r["ratio_2_over_1_process"]),
        ("(c)/(d)", r["ratio_c_over_d"]),
        ("latency p50 / p99 (ms), fast, half rate", f"{paced['latency_p50_ms']} / {paced['latency_p99_ms']}"),
        ("peak RSS (MiB), fast / full", f"{fast['peak_rss_mib']} / {r['c_service_full']['peak_rss_mib']}"),
    ]
    stages = fast.get("stage_us", {})
    return rows + [(f"fast, {stage} µs/article", us) for stage, us in stages.items()]


def growth(r: dict[str, Any]) -> Rows:
    return [(f"{row['window_articles']:,} in the window: articles/s (dedup µs/article)",
             f"{row['articles_per_s']:,} ({row['dedup_us_per_article']})") for row in r["rows"]]  # fmt: skip


def offline(r: dict[str, Any]) -> Rows:
    rows: Rows = [("articles/s", r["articles_per_second"])]
    return rows + [(f"{stage} µs/article", us) for stage, us in r["stage_us_per_article"].items()]


def dedup(r: dict[str, Any]) -> Rows:
    rows: Rows = [("sketch µs/article", r["sketch"]["us_per_article"])] if "sketch" in r else []
    for backend in ("memory", "redis", "redis_shared"):
        if backend in r:
            figures = r[backend]
            name = f"redis, {figures['replicas']} replicas sharing it" if "replicas" in figures else backend
            rows += [(f"{name}: check+insert µs/article", figures["us_per_article_overall"]),
                     (f"{name}: MiB per 100k articles", figures["mib_per_100k_articles"]),
                     (f"{name}: round trips per batch", figures["round_trips_per_batch"])]  # fmt: skip
            if "server_us_per_article" in figures:
                rows += [(f"{name}: articles/s the group filled the index at", figures["articles_per_second"]),
                         (f"{name}: Redis server µs/article", figures["server_us_per_article"]),
                         (f"{name}: Redis bytes/article", figures["bytes_per_article"])]  # fmt: skip
    return rows


def tag(r: dict[str, Any]) -> Rows:
    return [
        ("fast articles/s", r["fast_articles_per_s"]),
        ("full articles/s", r["full_articles_per_s"]),
        ("bare nlp.pipe articles/s", r["bare_nlp_pipe_articles_per_s"]),
        ("full / bare", r["full_vs_bare"]),
    ]


def soak(r: dict[str, Any]) -> Rows:
    return [
        (f"{r['articles']:,} articles at {r['input_rate']}/s: RSS second / last fifth (MiB)",
         f"{r['rss_mib_second_fifth_mean']} / {r['rss_mib_last_fifth_mean']}"),
        ("RSS peak (MiB)", r["rss_mib_peak"]),
        ("consumer lag peak", r["lag_peak"]),
    ]  # fmt: skip


def sketch(r: dict[str, Any]) -> Rows:
    return [(f"signature cost, {name}, µs/article", us) for name, us in r["cost"]["signature_us_per_article"].items()]


def hostile(r: dict[str, Any]) -> Rows:
    rows: Rows = []
    for backend in ("memory", "redis"):
        steps = r[f"hot_bands_{backend}"]
        rows.append((f"hot band, {backend}: µs/article, first / last {steps[0]['copies_indexed']:,} copies",
                     f"{steps[0]['us_per_article']} / {steps[-1]['us_per_article']}"))  # fmt: skip
    rows += [(f"1 MB body, {shape}: s", seconds) for shape, seconds in r["worst_bodies"].items()]
    livez = r["livez_under_load"]
    return [*rows, ("/livez under worst-case load: p50 / p99 / max ms",
                    f"{livez['p50_ms']} / {livez['p99_ms']} / {livez['max_ms']}")]  # fmt: skip


SECTIONS: list[tuple[str, str, Callable[[dict[str, Any]], Rows]]] = [
    ("End to end through the broker (bench/e2e.py)", "e2e", e2e),
    ("Cost growth with the window (bench/growth.py)", "growth", growth),
    ("Offline pipeline, fast profile (bench/run.py)", "pipeline_offline_fast", offline),
    ("Offline pipeline, full profile (bench/run.py)", "pipeline_offline_full", offline),
    ("Dedup stage (bench/dedup.py)", "dedup", dedup),
    ("Tag stage (bench/tag.py)", "tag", tag),
    ("Sketch (bench/sketch.py)", "sketch", sketch),
    ("Hostile input (bench/hostile.py)", "hostile", hostile),
    ("Soak (bench/soak.py, make soak)", "soak", soak),
]


if __name__ == "__main__":
    main()
