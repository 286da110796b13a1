"""Soak: the service under a fixed input rate for a bounded time; RSS and consumer lag sampled as it runs.

``make soak`` (10 minutes at 300 articles/s by default; not part of ``make bench``). The embedded broker, one
service process with the fast tag profile and the in-memory dedup index, and a producer writing generated
articles (``news_ingest.evaluation.synthetic``) stamped with the time they are sent, as a live feed would be. The dedup
window is shortened to ``--window-minutes`` (2; generations of 15 s) so that it fills within the run: after
that, generations expire as fast as new ones fill and memory should stay flat. Every sample prints the
service's RSS, the group's lag and the outputs so far; the summary compares RSS over the second and the last
fifth of the run (the first holds the filling window).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from news_ingest.broker import EmbeddedBroker
from news_ingest.config import KafkaSettings, TopicSettings
from news_ingest.evaluation.synthetic import generate
from news_ingest.kafka import create_topics, produce_values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=300.0, help="input articles per second")
    parser.add_argument("--sample-seconds", type=float, default=10.0)
    parser.add_argument("--window-minutes", type=float, default=2.0, help="the dedup window, shortened to fill")
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    result = asyncio.run(soak(args.minutes * 60, args.rate, args.sample_seconds, args.window_minutes))
    result |= {"python": platform.python_version(), "machine": platform.machine(), "cores": os.cpu_count()}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "soak.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    (args.out / "soak.md").write_text(table(result))
    print(table(result))


async def soak(seconds: float, rate: float, every: float, window_minutes: float) -> dict[str, object]:
    count = int(seconds * rate)
    events = live(count, rate, start=time.time() + 8)
    run = uuid.uuid4().hex[:8]
    names = TopicSettings(raw=f"soak.{run}.raw", enriched=f"soak.{run}.enriched", duplicates=f"soak.{run}.dup",
                          rejected=f"soak.{run}.rejected")  # fmt: skip
    group = f"soak.{run}"
    with EmbeddedBroker() as broker:
        kafka = KafkaSettings(bootstrap_servers=broker.bootstrap_servers)
        await create_topics(kafka, names)
        env = os.environ | {
            "NEWS_INGEST_KAFKA__BOOTSTRAP_SERVERS": kafka.bootstrap_servers or "",
            "NEWS_INGEST_TOPICS__RAW": names.raw, "NEWS_INGEST_TOPICS__ENRICHED": names.enriched,
            "NEWS_INGEST_TOPICS__DUPLICATES": names.duplicates, "NEWS_INGEST_TOPICS__REJECTED": names.rejected,
            "NEWS_INGEST_CONSUMER__GROUP_ID": group, "NEWS_INGEST_TAG__PROFILE": "fast",
            "NEWS_INGEST_HTTP__PORT": "0", "NEWS_INGEST_LOG__LEVEL": "warning", "NEWS_INGEST_LOG__FORMAT": "json",
            "NEWS_INGEST_DEDUP__WINDOW_HOURS": str(window_minutes / 60),
            "NEWS_INGEST_DEDUP__GENERATION_HOURS": str(window_minutes / 60 / 8),
            "NEWS_INGEST_DEDUP__STORY_WINDOW_HOURS": str(window_minutes / 60),
        }  # fmt: skip
        command = [str(Path(sys.executable).with_name("news-ingest")), "run"]
        service = await asyncio.create_subprocess_exec(*command, env=env, stdout=asyncio.subprocess.DEVNULL,
                                                       stderr=asyncio.subprocess.DEVNULL)  # fmt: skip
        await asyncio.sleep(8)  # joins its group before the input starts
        writer = asyncio.create_task(produce_values(kafka, names.raw, events, rate=rate))
        samples = []
        started = time.monotonic()
        deadline = time.monotonic() + seconds + 120
        while time.monotonic() < deadline:
            await asyncio.sleep(every)
            sample = {"seconds": round(time.monotonic() - started), "rss_mib": rss_mib(service.pid),
                      **await progress(kafka, names, group)}  # fmt: skip
            samples.append(sample)
            print(f"{sample['seconds']:>5} s  RSS {sample['rss_mib']:7.1f} MiB  lag {sample['lag']:>7}  "
                  f"outputs {sample['outputs']:>8}")  # fmt: skip
            if writer.done() and sample["lag"] == 0:
                break
        await writer
        service.send_signal(signal.SIGTERM)
        await asyncio.wait_for(service.wait(), 60)
        accounted = await account(kafka, names)
    fifth = max(1, len(samples) // 5)
    second = [s["rss_mib"] for s in samples[fifth : 2 * fifth]]
    last = [s["rss_mib"] for s in samples[-fifth:]]
    return {
        "benchmark": "soak",
        "seconds": seconds,
        "input_rate": rate,
        "articles": count,
        "samples": samples,
        "window_minutes": window_minutes,
        "rss_mib_second_fifth_mean": round(sum(second) / len(second), 1),
        "rss_mib_last_fifth_mean": round(sum(last) / len(last), 1),
        "rss_mib_peak": round(max(s["rss_mib"] for s in samples), 1),
        "lag_peak": max(s["lag"] for s in samples),
        "outputs": accounted["outputs"],
        "inputs_without_output": count - accounted["sources"],
        "inputs_with_repeated_output": accounted["repeated"],
    }


def live(count: int, rate: float, *, start: float) -> list[bytes]:
    """Generated events stamped with the moment each will be sent at ``rate`` (malformed ones left as they are)."""
    events = []
    for n, (value, _) in enumerate(generate(count, seed=5)):
        try:
            event = orjson.loads(value)
        except orjson.JSONDecodeError:
            events.append(value)
            continue
        moment = datetime.fromtimestamp(start + n / rate, tz=UTC).isoformat()
        events.append(orjson.dumps(event | {"published_at": moment}) if isinstance(event, dict) else value)
    return events


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def progress(kafka: KafkaSettings, names: TopicSettings, group: str) -> dict[str, int]:
    """The group's lag on the raw topic and the records on the output topics."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap_servers, group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        raw = [TopicPartition(names.raw, p) for p in range(names.partitions)]
        done = {tp: (await consumer.committed(tp)) or 0 for tp in raw}  # before the ends: lag is never negative
        ends = await consumer.end_offsets(raw)
        out = [TopicPartition(t, p) for t in (names.enriched, names.duplicates, names.rejected)
               for p in range(names.partitions)]  # fmt: skip
        outputs = sum((await consumer.end_offsets(out)).values())
        # the embedded broker's end offsets can trail what it has served by a batch: lag below 0 reads as 0
        return {"lag": sum(max(ends[tp] - done[tp], 0) for tp in raw), "outputs": outputs}
    finally:
        await consumer.stop()


async def account(kafka: KafkaSettings, names: TopicSettings) -> dict[str, int]:
    """Every output record read back, counted by the input offset it names (end offsets are only a guide:
    the embedded broker's can trail the records it serves by a batch)."""
    consumer = AIOKafkaConsumer(names.enriched, names.duplicates, names.rejected, group_id=None,
                                bootstrap_servers=kafka.bootstrap_servers, auto_offset_reset="earliest",
                                enable_auto_commit=False)  # fmt: skip
    await consumer.start()
    seen: dict[tuple[bytes, bytes], int] = {}
    outputs, idle = 0, 0
    try:
        while idle < 3:
            batch = await consumer.getmany(timeout_ms=1_000, max_records=10_000)
            records = [record for part in batch.values() for record in part]
            idle = 0 if records else idle + 1
            outputs += len(records)
            for record in records:
                headers = dict(record.headers)
                where = (headers["source-partition"], headers["source-offset"])
                seen[where] = seen.get(where, 0) + 1
    finally:
        await consumer.stop()
    return {"outputs": outputs, "sources": len(seen), "repeated": sum(n - 1 for n in seen.values())}


def table(result: dict[str, object]) -> str:
    return "\n".join([
        f"Soak: {result['articles']:,} articles at {result['input_rate']}/s over {result['seconds']} s",
        "",
        "| figure | value |",
        "|---|---|",
        f"| dedup window (minutes, shortened so it fills) | {result['window_minutes']} |",
        f"| RSS, mean of the second fifth (MiB) | {result['rss_mib_second_fifth_mean']} |",
        f"| RSS, mean of the last fifth (MiB) | {result['rss_mib_last_fifth_mean']} |",
        f"| RSS peak (MiB) | {result['rss_mib_peak']} |",
        f"| consumer lag peak (messages) | {result['lag_peak']} |",
        f"| outputs read back | {result['outputs']:,} |",
        (f"| inputs without an output / with a repeated one | {result['inputs_without_output']} / "
        f"{result['inputs_with_repeated_output']} |"),
    ]) + "\n"  # fmt: skip


if __name__ == "__main__":
    main()
