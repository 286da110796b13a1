"""Soak: the service under a fixed input rate for a bounded time; RSS and consumer lag sampled as it runs.

``make soak`` (10 minutes at 300 articles/s by default; not part of ``make bench``). The embedded broker, one
service process with the fast tag profile and the in-memory dedup index, and a producer writing generated
articles (``news_ingest.corpus``; their times advance 20 minutes per story, so the 72 h dedup window fills
within the first minute and from then on generations expire as fast as they fill). Every sample prints the
service's RSS, the group's lag and the outputs so far; the summary compares RSS over the first and the last
fifth of the run: once the window is full, memory should stay flat and lag bounded.
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
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer, TopicPartition

from news_ingest.broker import EmbeddedBroker
from news_ingest.config import KafkaSettings, TopicSettings
from news_ingest.corpus import generate
from news_ingest.kafka import create_topics, produce_values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=300.0, help="input articles per second")
    parser.add_argument("--sample-seconds", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    result = asyncio.run(soak(args.minutes * 60, args.rate, args.sample_seconds))
    result |= {"python": platform.python_version(), "machine": platform.machine(), "cores": os.cpu_count()}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "soak.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    (args.out / "soak.md").write_text(table(result))
    print(table(result))


async def soak(seconds: float, rate: float, every: float) -> dict[str, object]:
    count = int(seconds * rate)
    events = [value for value, _ in generate(count, seed=5)]
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
        }  # fmt: skip
        command = [str(Path(sys.executable).with_name("news-ingest")), "run"]
        service = await asyncio.create_subprocess_exec(*command, env=env, stdout=asyncio.subprocess.DEVNULL,
                                                       stderr=asyncio.subprocess.DEVNULL)  # fmt: skip
        await asyncio.sleep(8)  # joins its group before the input starts
        writer = asyncio.create_task(produce_values(kafka, names.raw, events, rate=rate))
        samples = []
        started = time.monotonic()
        while not writer.done() or (samples and samples[-1]["lag"] > 0 and time.monotonic() - started < seconds + 120):
            await asyncio.sleep(every)
            sample = {"seconds": round(time.monotonic() - started), "rss_mib": rss_mib(service.pid),
                      **await progress(kafka, names, group)}  # fmt: skip
            samples.append(sample)
            print(f"{sample['seconds']:>5} s  RSS {sample['rss_mib']:7.1f} MiB  lag {sample['lag']:>7}  "
                  f"outputs {sample['outputs']:>8}")  # fmt: skip
        await writer
        service.send_signal(signal.SIGTERM)
        await asyncio.wait_for(service.wait(), 60)
    fifth = max(1, len(samples) // 5)
    first = [s["rss_mib"] for s in samples[:fifth]]
    last = [s["rss_mib"] for s in samples[-fifth:]]
    return {
        "benchmark": "soak",
        "seconds": seconds,
        "input_rate": rate,
        "articles": count,
        "samples": samples,
        "rss_mib_first_fifth_mean": round(sum(first) / len(first), 1),
        "rss_mib_last_fifth_mean": round(sum(last) / len(last), 1),
        "rss_mib_peak": max(s["rss_mib"] for s in samples),
        "lag_peak": max(s["lag"] for s in samples),
        "outputs": samples[-1]["outputs"],
    }


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
        ends = await consumer.end_offsets(raw)
        done = {tp: (await consumer.committed(tp)) or 0 for tp in raw}
        out = [TopicPartition(t, p) for t in (names.enriched, names.duplicates, names.rejected)
               for p in range(names.partitions)]  # fmt: skip
        outputs = sum((await consumer.end_offsets(out)).values())
        return {"lag": sum(ends[tp] - done[tp] for tp in raw), "outputs": outputs}
    finally:
        await consumer.stop()


def table(result: dict[str, object]) -> str:
    return "\n".join([
        f"Soak: {result['articles']:,} articles at {result['input_rate']}/s over {result['seconds']} s",
        "",
        "| figure | value |",
        "|---|---|",
        f"| RSS, mean of the first fifth (MiB) | {result['rss_mib_first_fifth_mean']} |",
        f"| RSS, mean of the last fifth (MiB) | {result['rss_mib_last_fifth_mean']} |",
        f"| RSS peak (MiB) | {result['rss_mib_peak']} |",
        f"| consumer lag peak (messages) | {result['lag_peak']} |",
        f"| outputs | {result['outputs']:,} |",
    ]) + "\n"  # fmt: skip


if __name__ == "__main__":
    main()
