"""End-to-end through the real broker, in one run, on one machine (the machine is noisy: side by side only):

(a) raw ceiling: a bare aiokafka consume -> produce passthrough of the same messages, committing each batch;
(b) the service (``news-ingest run --until-idle``, its own process) with the fast tag profile, then two
    processes in one consumer group;
(c) the service with the full profile, next to (d) bare spaCy ``nlp.pipe`` over the same texts and cores;
plus end-to-end latency (p50/p99, input record's timestamp to output record's, with the input produced at
half the measured fast rate so queueing does not dominate) and each service process's peak RSS.
Input: ``news_ingest.evaluation.synthetic`` (deterministic, seed 7). Throughput is outputs / (last output time - first
output time) for every contender alike, so start-up and the idle wait at the end are left out (and so is
the first batch's work: with many batches per run that is a small share).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import IO, Any

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from news_ingest.broker import EmbeddedBroker
from news_ingest.codec import decode_raw
from news_ingest.config import ConsumerSettings, KafkaSettings, TagSettings, TopicSettings
from news_ingest.errors import InputRejected
from news_ingest.evaluation.synthetic import generate
from news_ingest.kafka import create_topics, produce_values
from news_ingest.records import SourceRecord
from news_ingest.tag.ner import load
from news_ingest.tag.stage import tagged_text

BATCH = ConsumerSettings().max_batch_records  # the passthrough fetches what the service fetches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=20_000, help="events for (a) and (b)")
    parser.add_argument("--full-articles", type=int, default=800, help="events for (c) and (d)")
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    result = asyncio.run(run(args.articles, args.full_articles))
    result |= {"python": platform.python_version(), "machine": platform.machine(), "cores": os.cpu_count()}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "e2e.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    (args.out / "e2e.md").write_text(table(result))
    print(table(result))


async def run(count: int, full_count: int) -> dict[str, object]:
    events = [value for value, _ in generate(count, seed=7)]
    with EmbeddedBroker() as broker:
        kafka = KafkaSettings(bootstrap_servers=broker.bootstrap_servers)
        ceiling = await passthrough(kafka, events)
        fast = await service(kafka, events, profile="fast")
        pair = await service(kafka, events, profile="fast", processes=2)
        paced = await service(kafka, events[: min(count // 2, 3_000)], profile="fast",
                              rate=max(20.0, fast["articles_per_s"] / 2))  # fmt: skip
        full = await service(kafka, events[:full_count], profile="full")
    bare = bare_spacy(events[:full_count])
    return {
        "benchmark": "e2e",
        "articles": count,
        "full_articles": full_count,
        "a_passthrough": ceiling,
        "b_service_fast": fast,
        "b_service_fast_2_processes": pair,
        "latency_fast_at_half_rate": paced,
        "c_service_full": full,
        "d_bare_nlp_pipe": bare,
        "ratio_b_over_a": round(fast["articles_per_s"] / ceiling["articles_per_s"], 3),
        "ratio_2_over_1_process": round(pair["articles_per_s"] / fast["articles_per_s"], 2),
        "ratio_c_over_d": round(full["articles_per_s"] / bare["articles_per_s"], 2),
    }


def topics() -> TopicSettings:
    run = uuid.uuid4().hex[:8]
    return TopicSettings(raw=f"bench.{run}.raw", enriched=f"bench.{run}.enriched", duplicates=f"bench.{run}.dup",
                         rejected=f"bench.{run}.rejected")  # fmt: skip


async def passthrough(kafka: KafkaSettings, events: list[bytes]) -> dict[str, float]:
    """(a): consume a batch, produce every record to the output topic, await the acks, commit; repeat."""
    names = topics()
    await create_topics(kafka, names)
    await produce_values(kafka, names.raw, events)
    consumer = AIOKafkaConsumer(names.raw, bootstrap_servers=kafka.bootstrap_servers, group_id=f"{names.raw}.pass",
                                enable_auto_commit=False, auto_offset_reset="earliest")  # fmt: skip
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, linger_ms=5, enable_idempotence=False,
                                max_batch_size=1_048_576)  # fmt: skip
    await consumer.start()
    await producer.start()
    try:
        done = 0
        while done < len(events):
            batch = await consumer.getmany(timeout_ms=1_000, max_records=BATCH)
            acks = [await producer.send(names.enriched, value=m.value, key=m.key)
                    for messages in batch.values() for m in messages]  # fmt: skip
            await asyncio.gather(*acks)
            await consumer.commit()
            done += len(acks)
    finally:
        await consumer.stop()
        await producer.stop()
    stamps = [stamp for stamp, _ in await output_times(kafka, [names.enriched], len(events))]
    return {"articles_per_s": round(len(stamps) / max((max(stamps) - min(stamps)) / 1000, 1e-9), 1)}


async def service(kafka: KafkaSettings, events: list[bytes], *, profile: str, processes: int = 1,
                  rate: float = 0.0) -> dict[str, Any]:  # fmt: skip
    """(b)/(c): ``processes`` service processes in one group; throughput, or latency when ``rate`` paces input."""
    names = topics()
    await create_topics(kafka, names)
    if not rate:
        await produce_values(kafka, names.raw, events)
    env = os.environ | {
        "NEWS_INGEST_KAFKA__BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "NEWS_INGEST_TOPICS__RAW": names.raw,
        "NEWS_INGEST_TOPICS__ENRICHED": names.enriched,
        "NEWS_INGEST_TOPICS__DUPLICATES": names.duplicates,
        "NEWS_INGEST_TOPICS__REJECTED": names.rejected,
        "NEWS_INGEST_CONSUMER__GROUP_ID": f"{names.raw}.service",
        "NEWS_INGEST_TAG__PROFILE": profile,
        # the full profile's ~35 articles/s: smaller batches, so its output times span many batches too
        "NEWS_INGEST_CONSUMER__MAX_BATCH_RECORDS": str(BATCH if profile == "fast" else 50),
        "NEWS_INGEST_HTTP__PORT": "0",
        "NEWS_INGEST_LOG__LEVEL": "warning" if rate else "info",  # info: the summary line has per-stage means
        "NEWS_INGEST_LOG__FORMAT": "json",
    }
    command = [str(Path(sys.executable).with_name("news-ingest")), "run", *([] if rate else ["--until-idle"])]
    logs = [tempfile.TemporaryFile() for _ in range(processes)]  # noqa: SIM115 - stage_means reads and closes them
    started = [start(command, env, log) for log in logs]
    out = [names.enriched, names.duplicates, names.rejected]
    if rate:  # the service joins its group first, takes the paced input, and is stopped once all is out
        await asyncio.sleep(8)
        await produce_values(kafka, names.raw, events, rate=rate)
        await until_published(kafka, out, names.raw)
        for process in started:
            process.send_signal(signal.SIGTERM)
    peak_kib = 0
    for process in started:
        _, status, usage = await asyncio.to_thread(os.wait4, process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        peak_kib = max(peak_kib, usage.ru_maxrss)
    timed = await output_times(kafka, out, len(events) if not rate else await published(kafka, out))
    stamps = [stamp for stamp, _ in timed]
    figures: dict[str, object] = {
        "articles_per_s": round(len(stamps) / max((max(stamps) - min(stamps)) / 1000, 1e-9), 1),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "outputs": len(stamps),
    }
    means = stage_means(logs)
    if not rate:
        figures["stage_us"] = means
    if rate:
        delays = sorted(stamp - produced for stamp, produced in timed)
        figures |= {"input_rate": round(rate, 1), "latency_p50_ms": delays[len(delays) // 2],
                    "latency_p99_ms": delays[min(len(delays) - 1, int(len(delays) * 0.99))]}  # fmt: skip
    return figures


async def published(kafka: KafkaSettings, names: list[str]) -> int:
    """Records in ``names`` so far."""
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap_servers, group_id=None)
    await consumer.start()
    try:
        parts = [TopicPartition(name, p) for name in names for p in range(TopicSettings().partitions)]
        return sum((await consumer.end_offsets(parts)).values())
    finally:
        await consumer.stop()


def start(command: list[str], env: dict[str, str], log: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)


def stage_means(logs: list[IO[bytes]]) -> dict[str, float]:
    """Per-stage mean microseconds per message from each process's ``service_stopped`` line, weighted by what
    each process consumed."""
    totals: dict[str, float] = {}
    consumed = 0
    for log in logs:
        log.seek(0)
        for line in log.read().splitlines():
            if line.startswith(b"{") and b'"service_stopped"' in line:
                event = orjson.loads(line)
                consumed += event["consumed"]
                for stage, mean in event["stage_mean_us"].items():
                    totals[stage] = totals.get(stage, 0.0) + mean * event["consumed"]
        log.close()
    return {stage: round(total / max(consumed, 1), 1) for stage, total in totals.items()}


async def until_published(kafka: KafkaSettings, names: list[str], raw: str) -> None:
    """Wait until ``names`` hold one record per record in ``raw``, or nothing has moved for 20 s."""
    last, moved = -1, time.monotonic()
    while time.monotonic() - moved < 20:
        done = await published(kafka, names)
        if done >= await published(kafka, [raw]):
            return
        if done != last:
            last, moved = done, time.monotonic()
        await asyncio.sleep(0.5)


async def output_times(kafka: KafkaSettings, names: list[str], expected: int) -> list[tuple[int, int]]:
    """(output timestamp, input timestamp) in ms for every output record, input matched by source headers."""
    consumer = AIOKafkaConsumer(*names, bootstrap_servers=kafka.bootstrap_servers, group_id=None,
                                auto_offset_reset="earliest", enable_auto_commit=False)  # fmt: skip
    raw = AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap_servers, group_id=None, enable_auto_commit=False)
    await consumer.start()
    await raw.start()
    outputs = []
    try:
        deadline = time.monotonic() + 120
        while len(outputs) < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=1_000, max_records=5_000)
            outputs += [m for messages in batch.values() for m in messages]
        produced: dict[tuple[str, int], dict[int, int]] = {}
        headers = [{k: v.decode() for k, v in m.headers} for m in outputs]
        sources = {(h["source-topic"], int(h["source-partition"])) for h in headers if "source-topic" in h}
        for topic, partition in sources:
            part = TopicPartition(topic, partition)
            raw.assign([part])
            await raw.seek_to_beginning(part)
            stamps: dict[int, int] = {}
            end = (await raw.end_offsets([part]))[part]
            while len(stamps) < end:
                for messages in (await raw.getmany(part, timeout_ms=1_000, max_records=5_000)).values():
                    stamps |= {m.offset: m.timestamp for m in messages}
            produced[(topic, partition)] = stamps
    finally:
        await consumer.stop()
        await raw.stop()
    matched = []
    for message in outputs:
        headers = {k: v.decode() for k, v in message.headers}
        if "source-topic" in headers:
            source = produced[(headers["source-topic"], int(headers["source-partition"]))]
            matched.append((message.timestamp, source[int(headers["source-offset"])]))
        else:
            matched.append((message.timestamp, message.timestamp))
    return matched


def bare_spacy(events: list[bytes]) -> dict[str, float]:
    """(d): spaCy alone over the texts the full profile's model reads, with as many processes."""
    from news_ingest.app import build_normaliser  # noqa: PLC0415 - the normaliser loads its model only here

    normalise = build_normaliser()
    settings = TagSettings()
    texts = []
    for n, value in enumerate(events):
        record = SourceRecord(topic="bench", partition=0, offset=n, key=None, value=value)
        try:
            texts.append(
                tagged_text(normalise(decode_raw(record, max_message_bytes=1_000_000)))[: settings.ner_max_chars]
            )
        except InputRejected:
            continue
    nlp = load(settings.ner_model)
    started = time.perf_counter()
    list(nlp.pipe(texts, batch_size=settings.ner_batch_size, n_process=settings.ner_processes))
    return {"articles_per_s": round(len(texts) / (time.perf_counter() - started), 1), "texts": len(texts)}


def table(result: dict[str, object]) -> str:
    def get(key: str) -> dict[str, Any]:
        value = result[key]
        assert isinstance(value, dict)
        return value

    rows = [
        ("(a) raw passthrough (aiokafka consume -> produce -> commit)", get("a_passthrough")),
        ("(b) service, fast profile, 1 process", get("b_service_fast")),
        ("(b) service, fast profile, 2 processes in one group", get("b_service_fast_2_processes")),
        ("(c) service, full profile (spaCy in 2 worker processes)", get("c_service_full")),
        ("(d) bare spaCy nlp.pipe, same texts, 2 processes", get("d_bare_nlp_pipe")),
    ]
    lines = ["| run | articles/s | peak RSS (MiB) |", "|---|---|---|"]
    lines += [
        f"| {name} | {figures['articles_per_s']} | {figures.get('peak_rss_mib', '-')} |" for name, figures in rows
    ]
    paced = get("latency_fast_at_half_rate")
    summary = (
        f"(b)/(a) = {result['ratio_b_over_a']}; 2 processes / 1 = {result['ratio_2_over_1_process']};"
        f" (c)/(d) = {result['ratio_c_over_d']}. Latency, fast profile, input at {paced['input_rate']}/s:"
        f" p50 {paced['latency_p50_ms']} ms, p99 {paced['latency_p99_ms']} ms."
    )
    lines += ["", summary, "", "Per-stage mean µs per message inside the service (from its shutdown summary):", ""]
    staged = [(name, figures["stage_us"]) for name, figures in rows if "stage_us" in figures]
    stages = list(staged[0][1]) if staged else []
    lines += ["| run | " + " | ".join(stages) + " |", "|---|" + "---|" * len(stages)]
    lines += [f"| {name} | " + " | ".join(str(us.get(stage, "-")) for stage in stages) + " |" for name, us in staged]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
