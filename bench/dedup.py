"""Dedup stage benchmark: sketch cost per article, index cost per article and memory per 100k articles, per backend.

The sketch is measured on real articles (BBC News under ../shared/data when present, else the demo stream).
The index is filled with synthetic candidates (random signatures, realistic id/URL/hash lengths, 55 salient terms in
the story vector's three views, drawn from a Zipf-like vocabulary, one in ten a near-copy of an earlier one), which
is what a unique article costs it; growth is reported per 10k-article step. The articles' times spread evenly over
one dedup window (72 h, 12 generations), so the in-memory index seals generations as a live stream would make it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import gzip
import multiprocessing
import platform
import time
import tracemalloc
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import orjson
import redis.asyncio as aioredis

from news_ingest.app import build_normaliser
from news_ingest.config import DedupSettings
from news_ingest.deduplicate import ledger, redis_index
from news_ingest.deduplicate.index import Candidate, DedupIndex, Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from news_ingest.deduplicate.redis_index import RedisDedupIndex
from news_ingest.deduplicate.stage import Deduplicator
from news_ingest.deduplicate.terms import LEDE, LEDE_TERMS, NAME_TERMS, NAMES, WHOLE, preload
from news_ingest.demo import STORIES
from news_ingest.errors import InputRejected
from news_ingest.models import RawArticle
from news_ingest.redis_server import LocalRedis

BBC = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bbc-news" / "articles.jsonl.gz"
REUTERS = BBC.parents[1] / "reuters21578" / "reuters21578.jsonl.gz"
BATCH = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000, help="candidates inserted into each index")
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument("--replicas", type=int, default=2, help="processes sharing one Redis, besides one alone")
    parser.add_argument("--redis-only", action="store_true", help="skip the sketch, memory and Reuters figures")
    parser.add_argument("--optimistic-decides", type=int, default=redis_index.OPTIMISTIC_DECIDES,
                        help="decisions made again after conflicts before a Redis replica takes the lease")  # fmt: skip
    args = parser.parse_args()
    redis_index.OPTIMISTIC_DECIDES = args.optimistic_decides  # forked replicas inherit it
    settings = DedupSettings()
    result: dict[str, object] = {"benchmark": "dedup", "settings_version": settings.version(),
                                 "optimistic_decides": args.optimistic_decides}  # fmt: skip
    candidates = synthetic_candidates(args.articles, settings)
    if not args.redis_only:
        result["sketch"] = sketch_cost(settings)
        result["memory"] = asyncio.run(memory_backend(candidates, settings, args.articles))
    if REUTERS.exists() and not args.redis_only:
        result["reuters_replay"] = asyncio.run(reuters_replay(settings))
    if BBC.exists():
        result["real_log_entries"] = real_log_entries(settings)
    _SHARED[:] = candidates
    with LocalRedis() as redis:
        result["redis"] = asyncio.run(redis_backend(candidates, settings, redis.url))
        if args.replicas > 1:
            result["redis_shared"] = asyncio.run(redis_backend(candidates, settings, redis.url,
                                                               replicas=args.replicas))  # fmt: skip
    result |= {"python": platform.python_version(), "machine": platform.machine()}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "dedup.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    report(result)


def sketch_cost(settings: DedupSettings) -> dict[str, object]:
    """Mean microseconds to sketch one article (words, shingles, MinHash of body and lede, salient terms)."""
    normaliser = build_normaliser()
    if BBC.exists():
        with gzip.open(BBC) as lines:
            texts = [orjson.loads(line) for line in lines][:1000]
        raws = [RawArticle(url=f"https://bbc.invalid/{i}", title=t.get("title"), body=t["body"]) for i, t in
                enumerate(texts)]  # fmt: skip
        corpus = "bbc-news (first 1000)"
    else:
        raws = [RawArticle(url=f"https://demo.invalid/{s.slug}", title=s.title, body="\n\n".join(s.paragraphs))
                for s in STORIES] * 20  # fmt: skip
        corpus = "demo stories"
    articles = [normaliser(raw) for raw in raws]
    deduplicate = Deduplicator(index=InMemoryDedupIndex(Thresholds.from_settings(settings)), settings=settings)
    deduplicate.candidate("bench/0/warm-up", articles[0])  # loads the word-frequency table (once per process)
    items = [(f"bench/0/{position}", article) for position, article in enumerate(articles)]
    started = time.perf_counter()
    for start in range(0, len(items), BATCH):  # as the service does: a consumer batch at a time
        deduplicate.candidates(items[start : start + BATCH])
    micros = (time.perf_counter() - started) / len(articles) * 1e6
    chars = sum(len(a.body) for a in articles) // len(articles)
    return {"corpus": corpus, "articles": len(articles), "mean_chars": chars, "us_per_article": round(micros, 1)}


def real_log_entries(settings: DedupSettings, articles: int = 2000) -> dict[str, object]:
    """Bytes per article of the shared index's log entries for real articles (BBC, decided in consumer batches
    by an in-memory index as a replica would): the synthetic candidates' signatures and terms compress
    differently, so this is the figure to read for a real stream's log."""
    normaliser = build_normaliser()
    with gzip.open(BBC) as lines:
        texts = [orjson.loads(line) for line in lines][:articles]
    items = [(f"bench/0/{n}", normaliser(RawArticle(url=f"https://bbc.invalid/{n}", title=t.get("title"),
                                                    body=t["body"]))) for n, t in enumerate(texts)]  # fmt: skip
    deduplicate = Deduplicator(index=InMemoryDedupIndex(Thresholds.from_settings(settings)), settings=settings)
    deciding = InMemoryDedupIndex(Thresholds.from_settings(settings))
    total = encode_seconds = decode_seconds = 0.0
    for start in range(0, len(items), BATCH):
        batch = [ledger.compact(c) for c in deduplicate.candidates(items[start : start + BATCH])]
        decided = deciding.decide(batch, now=float(start))
        began = time.perf_counter()
        entry = ledger.encode_batch(ledger.Batch(now=float(start), candidates=batch, decided=decided))
        encoded = time.perf_counter()
        ledger.decode(entry)
        decode_seconds += time.perf_counter() - encoded
        encode_seconds += encoded - began
        total += len(entry)
    return {"corpus": f"bbc-news (first {len(items)})", "bytes_per_article": round(total / len(items)),
            "encode_us_per_article": round(encode_seconds / len(items) * 1e6, 1),
            "decode_us_per_article": round(decode_seconds / len(items) * 1e6, 1)}  # fmt: skip


def synthetic_candidates(count: int, settings: DedupSettings) -> list[Candidate]:
    rng = np.random.default_rng(20261125)
    signatures = rng.integers(0, 2**32, size=(count, settings.permutations), dtype=np.uint32)
    ledes = rng.integers(0, 2**32, size=(count, settings.permutations), dtype=np.uint32)
    for row in range(10, count, 10):  # a near-copy: most of an earlier article's signature
        source = int(rng.integers(0, row))
        keep = rng.random(settings.permutations) < 0.8
        signatures[row][keep] = signatures[source][keep]
        ledes[row] = ledes[source]
    # as many terms as a real article's story vector: its whole-text, names and lede views (ids tagged with the view)
    views = ((WHOLE, settings.story_terms), (NAMES, NAME_TERMS), (LEDE, LEDE_TERMS))
    vocabulary = np.concatenate([(rng.zipf(1.3, size=(count, size)) % 200_000) | (view << 60) for view, size in views],
                                axis=1)  # fmt: skip  # a few common terms, a long tail
    weight = 1 / vocabulary.shape[1] ** 0.5
    start = 1_790_000_000.0  # the articles fill one whole window, oldest first
    return [
        Candidate(
            source=f"news.articles.raw.v1/{row % 12}/{row}",
            article_id=uuid.UUID(int=row + 1).hex,
            canonical_url=f"https://www.outlet-{row % 400}.example/world/2026/11/25/story-headline-words-{row}",
            content_hash=f"{row:064x}",
            signature=signatures[row],
            lede_signature=ledes[row],
            shingle_count=400,
            generation=int(moment // (settings.generation_hours * 3600)),
            terms=tuple((int(term).to_bytes(8, "big"), weight) for term in dict.fromkeys(vocabulary[row].tolist())),
            timestamp=moment,
        )
        for row, moment in enumerate(start + row * settings.window_hours * 3600 / count for row in range(count))
    ]


async def fill(index: DedupIndex, candidates: list[Candidate]) -> list[dict[str, float]]:
    """Insert in consumer-sized batches; microseconds per article for each 10k-article step."""
    steps, started, done = [], time.perf_counter(), 0
    for start in range(0, len(candidates), BATCH):
        batch = candidates[start : start + BATCH]
        await index.check_and_insert(batch)
        done += len(batch)
        if done % 10_000 == 0 or done == len(candidates):
            now = time.perf_counter()
            steps.append({"entries": done, "us_per_article": round((now - started) / 10_000 * 1e6, 1)})
            started = now
    return steps


async def memory_backend(candidates: list[Candidate], settings: DedupSettings, count: int) -> dict[str, object]:
    index = InMemoryDedupIndex(
        Thresholds.from_settings(settings.model_copy(update={"max_entries": len(candidates) + 1}))
    )
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    fresh = synthetic_candidates(count, settings)  # built while traced: the index keeps their strings
    await fill(index, fresh)
    del fresh
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    estimated = await index.memory_bytes()  # what the service exports, next to what tracemalloc counted
    # tracemalloc slows allocation-heavy code: time a second, untraced fill for the speed figures
    timed = InMemoryDedupIndex(
        Thresholds.from_settings(settings.model_copy(update={"max_entries": len(candidates) + 1}))
    )
    steps = await fill(timed, [*candidates])
    return summary(steps, held, len(candidates), round_trips=None) | {"exported_estimate_bytes": estimated,
                                                                      "measured_bytes": held}  # fmt: skip


async def redis_backend(candidates: list[Candidate], settings: DedupSettings, url: str, *,
                        replicas: int = 1) -> dict[str, object]:  # fmt: skip
    """The shared index filled by ``replicas`` processes at once (batch n goes to replica n mod replicas),
    each holding its own RedisDedupIndex on one key prefix: server time from INFO commandstats (every command
    the index sent) and the server's CPU time (INFO cpu: parsing and I/O too), memory from ``used_memory``."""
    admin = aioredis.Redis.from_url(url)
    await admin.flushall()
    before = int((await admin.info("memory"))["used_memory"])
    cpu_before = await server_cpu_seconds(admin)
    await admin.config_resetstat()
    prefix = f"bench:{{{uuid.uuid4().hex}}}:"
    started = time.perf_counter()
    if replicas == 1:
        shares = [await fill_share(candidates, settings, url, prefix, (0, 1))]
    else:
        context = multiprocessing.get_context("fork")  # the children inherit the candidates
        with context.Pool(replicas) as pool:
            shares = pool.starmap(replica_share, [(settings, url, prefix, (n, replicas)) for n in range(replicas)])
    wall = time.perf_counter() - started
    steps = [step for share, _ in shares for step in share]
    decides: Counter[str] = sum((Counter(counted) for _, counted in shares), Counter())
    stats = await admin.info("commandstats")
    cpu = await server_cpu_seconds(admin) - cpu_before
    held = int((await admin.info("memory"))["used_memory"]) - before
    await admin.aclose()
    # what the index sends: scripts (their usec holds the commands they call, which are counted again on
    # their own lines) and its ping
    sent = {name: stats[name] for name in ("cmdstat_evalsha", "cmdstat_eval", "cmdstat_script") if name in stats}
    server_us = sum(int(value["usec"]) for value in sent.values())
    calls = sum(int(value["calls"]) for value in sent.values())
    ignored = ("cmdstat_info", "cmdstat_config", "cmdstat_flushall")
    used = {name: value for name, value in stats.items() if name not in ignored}
    batches = -(-len(candidates) // BATCH)
    return {
        "articles": len(candidates),
        "replicas": replicas,
        "us_per_article_overall": round(wall / len(candidates) * 1e6, 1),
        "articles_per_second": round(len(candidates) / wall),
        "us_per_article_by_size": steps if replicas == 1 else [],
        "bytes_per_article": round(held / len(candidates)),
        "mib_per_100k_articles": round(held / len(candidates) * 100_000 / 2**20, 1),
        "round_trips_per_batch": round(calls / batches, 2),
        "batches_decided": dict(sorted(decides.items())),
        "server_us_per_article": round(server_us / len(candidates), 2),
        "server_cpu_us_per_article": round(cpu / len(candidates) * 1e6, 2),
        "group_ceiling_articles_per_second": round(len(candidates) / server_us * 1e6) if server_us else None,
        "commands": {name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in used.items()},
        "server_us_by_command": {name.removeprefix("cmdstat_"): int(value["usec"]) for name, value in used.items()},
    }


async def server_cpu_seconds(admin: aioredis.Redis) -> float:
    cpu = await admin.info("cpu")
    return float(cpu["used_cpu_sys"]) + float(cpu["used_cpu_user"])


_SHARED: list[Candidate] = []  # the candidates, for forked replicas


Share = tuple[list[dict[str, float]], dict[str, int]]  # steps, and how the replica's batches were decided


def replica_share(settings: DedupSettings, url: str, prefix: str, share: tuple[int, int]) -> Share:
    return asyncio.run(fill_share(_SHARED, settings, url, prefix, share))


async def fill_share(candidates: list[Candidate], settings: DedupSettings, url: str, prefix: str,
                     share: tuple[int, int]) -> Share:  # fmt: skip
    """One replica's share: (replica, replicas)."""
    replica, replicas = share
    batches = [candidates[start : start + BATCH] for start in range(0, len(candidates), BATCH)]
    mine = [candidate for n, batch in enumerate(batches) if n % replicas == replica for candidate in batch]
    async with RedisDedupIndex(url=url, thresholds=Thresholds.from_settings(settings), key_prefix=prefix,
                               timeout_seconds=30.0) as index:  # fmt: skip
        return await fill(index, mine), dict(index.decides)


def summary(steps: list[dict[str, float]], held: int, count: int, *, round_trips: float | None) -> dict[str, object]:
    return {
        "articles": count,
        "us_per_article_overall": round(sum(s["us_per_article"] for s in steps) / len(steps), 1),
        "us_per_article_by_size": steps,
        "bytes_per_article": round(held / count),
        "mib_per_100k_articles": round(held / count * 100_000 / 2**20, 1),
        "round_trips_per_batch": round_trips,
    }


async def reuters_replay(settings: DedupSettings) -> dict[str, object]:
    """Real wire copy through the in-memory index in time order (1987 dates moved to 2026, so the normaliser
    keeps them): what the index holds at the end, copies and stories apart (the service's exported estimate,
    which tracemalloc confirmed within 2% on the synthetic fill)."""
    with gzip.open(REUTERS) as lines:
        records = [orjson.loads(line) for line in lines]
    shift = datetime(2026, 1, 1, tzinfo=UTC) - datetime(1987, 1, 1, tzinfo=UTC)
    dated = sorted(((reuters_time(r) + shift, r) for r in records if r.get("body")), key=lambda pair: pair[0])
    normaliser = build_normaliser()
    items = []
    for n, (moment, record) in enumerate(dated):
        raw = RawArticle(url=f"https://reuters.invalid/{record['newid']}", title=record.get("title") or None,
                         body=record["body"], published_at=moment.isoformat())  # fmt: skip
        with contextlib.suppress(InputRejected):
            items.append((f"reuters/0/{n}", normaliser(raw)))
    index = InMemoryDedupIndex(Thresholds.from_settings(settings))
    deduplicate = Deduplicator(index=index, settings=settings)
    for language in {article.language for _, article in items}:  # short texts pass for many languages: their
        preload(language or "en")  # word tables are built once per process, a start-up cost, not timed here
    statuses: dict[str, int] = {}
    started = time.perf_counter()
    for start in range(0, len(items), BATCH):
        for decision in await deduplicate(items[start : start + BATCH]):
            label = f"{decision.status.value}/{decision.method or '-'}"
            statuses[label] = statuses.get(label, 0) + 1
    micros = (time.perf_counter() - started) / len(items) * 1e6
    entries, total, stories = await index.size(), await index.memory_bytes(), index.story_memory_bytes()
    return {"articles": len(items), "decisions": statuses, "us_per_article_sketch_and_index": round(micros, 1),
            "indexed_at_end": entries, "live_stories_at_end": index.live_stories(),
            "bytes_per_indexed_article": round(total / entries),
            "copies_bytes_per_article": round((total - stories) / entries),
            "story_bytes_per_article": round(stories / entries)}  # fmt: skip


def reuters_time(record: dict[str, object]) -> datetime:
    stamp = str(record["date"]).split(".")[0].strip()
    try:
        return datetime.strptime(stamp, "%d-%b-%Y %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:  # a few stamps carry impossible hours ("605:12:19"): the day is enough
        return datetime.strptime(stamp.split()[0], "%d-%b-%Y").replace(tzinfo=UTC)


def report(result: dict[str, object]) -> None:
    sketch = result.get("sketch")
    if isinstance(sketch, dict):
        print(f"dedup candidate (words, shingles, MinHash of body and lede, salient terms):"
              f" {sketch['us_per_article']} us/article"
              f" on {sketch['corpus']}, mean {sketch['mean_chars']} chars")  # fmt: skip
    for backend in ("memory", "redis", "redis_shared"):
        figures = result.get(backend)
        if not isinstance(figures, dict):
            continue
        steps = figures["us_per_article_by_size"]
        growth = ", ".join(f"{s['entries'] // 1000}k: {s['us_per_article']}" for s in steps[:: max(1, len(steps) // 5)])
        replicas = f", {figures['replicas']} replicas" if "replicas" in figures else ""
        print(
            f"dedup index [{backend}{replicas}]: {figures['us_per_article_overall']} us/article check+insert"
            f" (batches of {BATCH}); {figures['mib_per_100k_articles']} MiB per 100k articles"
            f" ({figures['bytes_per_article']} B each); round trips/batch: {figures['round_trips_per_batch']}"
        )
        if growth:
            print(f"  us/article as the index grows: {growth}")
        if "exported_estimate_bytes" in figures:
            estimate, measured = figures["exported_estimate_bytes"], figures["measured_bytes"]
            print(f"  exported memory estimate {estimate} B vs {measured} B measured by tracemalloc")
        if "server_us_per_article" in figures:
            print(
                f"  Redis server time (INFO commandstats): {figures['server_us_per_article']} us/article"
                f" ({figures['server_cpu_us_per_article']} us of server CPU with I/O), so a group"
                f" sharing one Redis tops out near {figures['group_ceiling_articles_per_second']} articles/s;"
                f" {figures['articles_per_second']} articles/s filled; batches decided {figures['batches_decided']}"
            )

    entries = result.get("real_log_entries")
    if isinstance(entries, dict):
        print(f"shared index log entries for real articles ({entries['corpus']}): {entries['bytes_per_article']} B"
              f" per article; encode {entries['encode_us_per_article']} us, decode"
              f" {entries['decode_us_per_article']} us per article")  # fmt: skip
    replay = result.get("reuters_replay")
    if isinstance(replay, dict):
        print(f"reuters replay (in memory): {replay['articles']} articles, {replay['us_per_article_sketch_and_index']}"
              f" us/article sketch+index; at the end {replay['indexed_at_end']} articles indexed (72 h window),"
              f" {replay['live_stories_at_end']} live stories: {replay['bytes_per_indexed_article']} B per indexed"
              f" article ({replay['copies_bytes_per_article']} copies"
              f" + {replay['story_bytes_per_article']} stories)")  # fmt: skip
        print(f"  decisions: {replay['decisions']}")


if __name__ == "__main__":
    main()
