"""The ``news-ingest`` command line: run, replay, tail, process, config, schemas, demo."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import orjson
from prometheus_client import CollectorRegistry
from pydantic import ValidationError

from news_ingest import __version__, schemas
from news_ingest.app import (
    Running,
    build_pipeline,
    build_tagger,
    serve,
    settle_heap,
)
from news_ingest.codec import decode_enriched, decode_rejected
from news_ingest.config import Settings, explain, load_settings, masked
from news_ingest.demo import demo_events
from news_ingest.errors import ConfigError
from news_ingest.kafka import consume_values, produce_values
from news_ingest.logs import configure
from news_ingest.metrics import Metrics
from news_ingest.pipeline import Handled
from news_ingest.records import SourceRecord

EXIT_USAGE = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ValidationError as error:
        print(f"news-ingest: invalid settings:\n{explain(error)}", file=sys.stderr)
        return EXIT_USAGE
    configure(settings.log)
    handler = {
        "run": _run,
        "replay": _replay,
        "tail": _tail,
        "process": _process,
        "config": _config,
        "eval": _eval,
        "schemas": _schemas,
        "demo": _demo,
        "generate": _generate,
    }[args.command]
    try:
        return handler(args, settings)
    except ConfigError as error:  # the settings ask for what this installation lacks: say so, no traceback
        print(f"news-ingest: {error}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="news-ingest", description=__doc__)
    parser.add_argument("--version", action="version", version=f"news-ingest {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="consume, enrich and publish (embedded broker if none configured)")
    run.add_argument("--until-idle", action="store_true", help="exit once every assigned partition is drained")
    run.add_argument("--demo", action="store_true", help="replay the built-in demo stream after start")
    replay = commands.add_parser("replay", help="produce raw events from a JSONL file (one value per line)")
    replay.add_argument("file", type=Path)
    replay.add_argument("--rate", type=float, default=0.0, help="messages per second; 0 = as fast as possible")
    replay.add_argument("--bootstrap-servers", help="overrides NEWS_INGEST_KAFKA__BOOTSTRAP_SERVERS")
    tail = commands.add_parser("tail", help="print enriched events readably")
    tail.add_argument("--topic", help="topic to read (default: the enriched topic)")
    tail.add_argument("--from-beginning", action="store_true")
    tail.add_argument("--max", type=int, default=0, help="stop after N records; 0 = follow forever")
    tail.add_argument("--bootstrap-servers", help="overrides NEWS_INGEST_KAFKA__BOOTSTRAP_SERVERS")
    process = commands.add_parser("process", help="run the pipeline offline: JSONL in, one JSONL per topic out")
    process.add_argument("input", type=Path)
    process.add_argument("--out", type=Path, required=True)
    commands.add_parser("config", help="print the effective settings, secrets masked")
    schema = commands.add_parser("schemas", help="write the JSON Schemas, or check them for drift")
    schema.add_argument("--dir", type=Path, default=Path("schemas"))
    schema.add_argument("--check", action="store_true", help="exit 1 if the committed schemas drifted")
    evaluate = commands.add_parser("eval", help="score quality on labelled data")
    evals = evaluate.add_subparsers(dest="evaluation", required=True)
    boilerplate = evals.add_parser("boilerplate", help="body cleaning vs gold article text (token P/R/F1)")
    source = boilerplate.add_mutually_exclusive_group(required=True)
    source.add_argument("--jsonl", type=Path, help="one {body, gold[, related, id]} object per line")
    source.add_argument("--aeb", type=Path, help="article-extraction-benchmark folder (ground-truth.json, html/)")
    source.add_argument("--l3s", type=Path, help="L3S-GN1 page-signal tarball (input/ + GoldStandard/)")
    boilerplate.add_argument("--limit", type=int, default=0, help="score only the first N pages")
    dedup = evals.add_parser("dedup", help="dedup clusters vs gold same-story clusters (pairs P/R/F1, ARI, purity)")
    corpus = dedup.add_mutually_exclusive_group(required=True)
    corpus.add_argument("--jsonl", type=Path, help='one {"id", "title", "body", "cluster"} object per line')
    corpus.add_argument("--ecbplus", type=Path, help="ecbplus_docs.jsonl.gz (same-event clusters, hard negatives)")
    corpus.add_argument("--newswcl50", type=Path, help="newswcl50_docs.jsonl.gz (one event, five outlets)")
    corpus.add_argument("--bbc", type=Path, help="bbc articles.jsonl.gz plus generated syndicated copies")
    corpus.add_argument("--uci", type=Path, help="UCI News Aggregator CSV (headlines, time-ordered story ids)")
    dedup.add_argument("--limit", type=int, default=0, help="with --bbc: use only the first N articles")
    dedup.add_argument("--topics", choices=("all", "odd", "even"), default="all",
                       help="with --ecbplus: all topics, or the odd (tuning) / even (held-out) half")  # fmt: skip
    _add_tag_evals(evals)
    _add_layout_eval(evals)
    generate = commands.add_parser("generate", help="write a synthetic raw stream of any size, and its truth")
    generate.add_argument("--count", type=int, default=10_000)
    generate.add_argument("--seed", type=int, default=7)
    generate.add_argument("--out", type=Path, required=True, help="JSONL of raw values (one per line, for replay)")
    generate.add_argument("--truth", type=Path, help="JSONL: per event its kind, story, copied event, countries")
    demo = commands.add_parser("demo", help="write the demo stream as JSONL (for replay)")
    demo.add_argument("--out", type=Path, help="file to write; default stdout")
    return parser


def _add_layout_eval(evals: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    layouts = evals.add_parser("layouts", help="the same articles in every feed layout: share that come out the same")
    stories = layouts.add_mutually_exclusive_group(required=True)
    stories.add_argument(
        "--jsonl", type=Path, help='one {"id"?, "title"?, "body"} object per line, blank-line paragraphs'
    )
    stories.add_argument("--shared", type=Path, help="the shared data folder: BBC, Reuters-21578, MEANTIME, AEB gold")
    layouts.add_argument("--per-set", type=int, default=100, help="with --shared: stories drawn from each set")
    layouts.add_argument("--seed", type=int, default=7, help="seeds the renderings (widths, indents, chrome, teasers)")
    layouts.add_argument("--profile", choices=("fast", "full"), help="tag profile; default: NEWS_INGEST_TAG__PROFILE")
    layouts.add_argument("--show", type=int, default=5, help="first differences shown side by side")


def _add_tag_evals(evals: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    regions = evals.add_parser("regions", help="country tags vs Reuters-21578 gold place codes (P/R/F1)")
    regions.add_argument("file", type=Path, help="reuters21578.jsonl.gz, or with --jsonl your own labelled articles")
    own = 'FILE holds one {"title", "body", "countries": [ISO codes or names]} object per line'
    regions.add_argument("--jsonl", action="store_true", help=own)
    regions.add_argument("--split", choices=("test", "train", "all"), default="test",
                         help="Reuters' LEWISSPLIT: test (held out, the default), train (tuning) or all")  # fmt: skip
    ner = evals.add_parser("ner", help="people, organisations, places vs CoNLL-2003 or MEANTIME gold (P/R/F1)")
    ner.add_argument(
        "file", type=Path, help="CoNLL-2003 per article ({split}.docs.jsonl.gz), or the meantime-en folder"
    )
    ner.add_argument("--baseline", action="store_true", help="score the spaCy model alone, no rules")
    ner.add_argument("--profile", choices=("fast", "full"), help="default: NEWS_INGEST_TAG__PROFILE")
    ner.add_argument("--max-chars", type=int, help="characters the model reads (default: the setting)")
    ner.add_argument("--limit", type=int, default=0, help="score only the first N articles")


def _run(args: argparse.Namespace, settings: Settings) -> int:
    hook = _feed_demo if args.demo else None
    summary = asyncio.run(serve(settings, until_idle=args.until_idle, handle_signals=True, on_started=hook))
    print(f"consumed={summary.consumed} " + " ".join(f"{k}={v}" for k, v in sorted(summary.outcomes.items())))
    return 0


async def _feed_demo(running: Running) -> None:
    """Publish the demo stream into the running service's input topic and report the outcomes."""
    events = demo_events()
    await produce_values(running.settings.kafka, running.settings.topics.raw, events)
    # Polling a counter: there is no event to await for "all outputs acknowledged".
    while sum(running.metrics.outcome_totals().values()) < len(events) and not running.stop.is_set():  # noqa: ASYNC110
        await asyncio.sleep(0.2)
    totals = running.metrics.outcome_totals()
    print(
        f"\ndemo: {len(events)} events processed -> "
        + ", ".join(f"{name}={totals[name]}" for name in ("enriched", "duplicate", "rejected"))
        + f"\nmetrics: {running.http_url}/metrics   health: {running.http_url}/readyz"
        + f"\nbroker: {running.settings.kafka.bootstrap_servers}   Ctrl-C to stop\n",
        flush=True,
    )


def _with_servers(settings: Settings, servers: str | None) -> Settings | None:
    servers = servers or settings.kafka.bootstrap_servers
    if not servers:
        print(
            "news-ingest: set NEWS_INGEST_KAFKA__BOOTSTRAP_SERVERS or pass --bootstrap-servers",
            file=sys.stderr,
        )
        return None
    kafka = settings.kafka.model_copy(update={"bootstrap_servers": servers})
    return settings.model_copy(update={"kafka": kafka})


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    configured = _with_servers(settings, args.bootstrap_servers)
    if configured is None:
        return EXIT_USAGE
    values = [line for line in args.file.read_bytes().splitlines() if line.strip()]
    started = time.monotonic()

    def progress(sent: int) -> None:
        if sent % 100 == 0 or sent == len(values):
            print(f"\rreplayed {sent}/{len(values)}", end="", file=sys.stderr, flush=True)

    asyncio.run(produce_values(configured.kafka, configured.topics.raw, values, rate=args.rate, progress=progress))
    print(f"\nreplayed {len(values)} events to {configured.topics.raw} in {time.monotonic() - started:.1f}s")
    return 0


def _tail(args: argparse.Namespace, settings: Settings) -> int:
    configured = _with_servers(settings, args.bootstrap_servers)
    if configured is None:
        return EXIT_USAGE
    topic = args.topic or configured.topics.enriched

    async def follow() -> None:
        async for record in consume_values(configured.kafka, topic, from_beginning=args.from_beginning, limit=args.max):
            print(describe(record), flush=True)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(follow())
    return 0


def describe(record: SourceRecord) -> str:
    """One readable line per output record: where it came from, its status, title and countries."""
    where = f"{record.topic}[{record.partition}]@{record.offset}"
    try:
        article = decode_enriched(record.value or b"")
    except ValidationError:
        try:
            rejected = decode_rejected(record.value or b"")
        except ValidationError:
            return f"{where} (not a news-ingest record, {len(record.value or b'')} bytes)"
        return f"{where} REJECTED {rejected.reason.value} at {rejected.stage.value}: {rejected.detail}"
    countries = ",".join(tag.code for tag in article.regions.countries) or "-"
    return (
        f"{where} {article.dedup.status.value:<15} {countries:<10} {article.source or '-'}: "
        f"{article.title or article.body[:80]}"
    )


def _process(args: argparse.Namespace, settings: Settings) -> int:
    """Offline: the same pipeline and encoder as the service, each output appended to ``<topic>.jsonl``."""
    topics = (settings.topics.enriched, settings.topics.duplicates, settings.topics.rejected)
    args.out.mkdir(parents=True, exist_ok=True)
    lines = args.input.read_bytes().splitlines()
    records = [
        SourceRecord(topic=settings.topics.raw, partition=0, offset=offset, key=None, value=line)
        for offset, line in enumerate(lines)
    ]
    handled = asyncio.run(_handle_in_batches(settings, records, batch=settings.consumer.max_batch_records))
    counts: Counter[str] = Counter()
    with contextlib.ExitStack() as stack:
        files = {topic: stack.enter_context((args.out / f"{topic}.jsonl").open("wb")) for topic in topics}
        for _, output in handled:
            files[output.topic].write(output.value + b"\n")
            counts[output.topic] += 1
    print(f"processed {counts.total()} lines -> " + ", ".join(f"{t}={counts[t]}" for t in topics) + f" in {args.out}")
    return 0


async def _handle_in_batches(settings: Settings, records: list[SourceRecord], *, batch: int) -> list[Handled]:
    tagger = build_tagger(settings.tag)
    try:
        pipeline = build_pipeline(settings, Metrics(CollectorRegistry()), tagger=tagger)
        settle_heap(settings.runtime)
        handled: list[Handled] = []
        for start in range(0, len(records), batch):
            handled += await pipeline.handle_batch(records[start : start + batch])
        return handled
    finally:
        tagger.close()


def _config(_: argparse.Namespace, settings: Settings) -> int:
    print(orjson.dumps(masked(settings), option=orjson.OPT_INDENT_2).decode())
    return 0


def _schemas(args: argparse.Namespace, _: Settings) -> int:
    if args.check:
        drifted = schemas.drift(args.dir)
        for name in drifted:
            print(f"schema drifted from the models: {args.dir / name} (run `make schemas`)", file=sys.stderr)
        return 1 if drifted else 0
    for path in schemas.write(args.dir):
        print(f"wrote {path}")
    return 0


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from news_ingest.evaluation import commands  # noqa: PLC0415 - evaluation code loads only for these commands

    return commands.evaluate(args, settings)


def _generate(args: argparse.Namespace, settings: Settings) -> int:
    from news_ingest.evaluation import commands  # noqa: PLC0415 - evaluation code loads only for these commands

    return commands.generate(args, settings)


def _demo(args: argparse.Namespace, _: Settings) -> int:
    data = b"".join(event + b"\n" for event in demo_events())
    if args.out:
        args.out.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
