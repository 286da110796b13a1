"""The ``news-ingest`` command line: run, replay, tail, process, config, schemas, demo, generate, eval.

Every failure a user can fix is one line on stderr, ``news-ingest: error: ...``, and a non-zero exit: 2 for
what the settings or arguments ask for, 1 for what the outside world did (an unreachable cluster, a file).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import errno
import os
import shutil
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import orjson
import structlog
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
from news_ingest.errors import ConfigError, InfrastructureError, TopicMissing
from news_ingest.kafka import consume_values, produce_values
from news_ingest.logs import configure
from news_ingest.metrics import Metrics
from news_ingest.pipeline import Handled
from news_ingest.progress import Progress
from news_ingest.records import SourceRecord

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

_DESCRIPTION = """\
Streaming ingestion for news: consume raw article events from Kafka, normalise, deduplicate, tag with
countries and entities, publish enriched events. Settings come from NEWS_INGEST_* environment variables
(`news-ingest config` prints them all)."""


def fail(message: str, code: int = EXIT_FAILED) -> int:
    """Print the one-line error every user-facing failure ends in, and return the exit code."""
    print(f"news-ingest: error: {message}", file=sys.stderr, flush=True)
    return code


def main(argv: Sequence[str] | None = None) -> int:  # noqa: PLR0911 - one return per kind of failure
    """Entry point of the console script."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ValidationError as error:
        return fail(f"invalid settings: {explain(error)}", EXIT_USAGE)
    except ConfigError as error:
        return fail(str(error), EXIT_USAGE)
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
    except (ConfigError, TopicMissing) as error:  # the settings or arguments ask for what is not there
        return fail(str(error), EXIT_USAGE)
    except InfrastructureError as error:  # the cluster, the index or the embedded broker
        return fail(str(error))
    except OSError as error:
        return fail(_os_error(error, settings))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as error:  # noqa: BLE001 - a bug: its traceback goes to the log, one line here
        structlog.get_logger(__name__).error("command_failed", command=args.command, exc_info=True)
        return fail(f"unexpected {type(error).__name__} in `{args.command}` (a bug: the log above has the traceback)")


def _os_error(error: OSError, settings: Settings) -> str:
    if error.errno == errno.EADDRINUSE:
        return (f"the metrics port {settings.http.host}:{settings.http.port} is in use (another news-ingest "
                "running?): set NEWS_INGEST_HTTP__PORT to a free port, or 0 to pick one")  # fmt: skip
    reason = (error.strerror or type(error).__name__).lower()
    return f"{reason}: {error.filename}" if error.filename else str(error)


class _Defaults(argparse.ArgumentDefaultsHelpFormatter):
    """Shows an argument's default where it has one worth saying (not for flags and unset options)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default in (None, False, argparse.SUPPRESS) or "default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def _parser() -> argparse.ArgumentParser:  # noqa: PLR0915 - one statement per argument
    parser = argparse.ArgumentParser(prog="news-ingest", description=_DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"news-ingest {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return commands.add_parser(name, help=text, description=text,
                                   formatter_class=_Defaults)  # fmt: skip

    run = command("run", "consume, enrich and publish until stopped (SIGTERM / Ctrl-C)")
    run.add_argument("--until-idle", action="store_true", help="exit once every assigned partition is drained")
    run.add_argument("--demo", action="store_true",
                     help="feed the demo stream after start; with no cluster set, on the embedded broker")  # fmt: skip
    run.add_argument("--embedded", action="store_true",
                     help="start the embedded memory-only broker (as NEWS_INGEST_KAFKA__EMBEDDED=true)")  # fmt: skip
    replay = command("replay", "produce raw events from a JSONL file (one value per line) to the raw topic")
    replay.add_argument("file", type=Path, help="JSONL file, e.g. from `news-ingest demo --out` or `generate`")
    replay.add_argument("--rate", type=float, default=0.0, help="messages per second; 0 = as fast as possible")
    replay.add_argument("--bootstrap-servers", help="host:port list; default NEWS_INGEST_KAFKA__BOOTSTRAP_SERVERS")
    tail = command("tail", "print output records readably, one line each")
    tail.add_argument("--topic", help="topic to read; default the enriched topic")
    tail.add_argument("--from-beginning", action="store_true", help="start at the oldest record, not the newest")
    tail.add_argument("--max", type=int, default=0, help="stop after N records; 0 = no limit")
    tail.add_argument("--until-idle", action="store_true", help="stop at the end of the topic instead of following")
    tail.add_argument("--json", action="store_true", help="print each record's value as it is (JSON lines)")
    tail.add_argument("--bootstrap-servers", help="host:port list; default NEWS_INGEST_KAFKA__BOOTSTRAP_SERVERS")
    process = command("process", "run the pipeline offline: JSONL in, one JSONL file per output topic")
    process.add_argument("input", type=Path, help="JSONL of raw event values, one per line")
    process.add_argument("--out", type=Path, required=True, help="folder for <topic>.jsonl files (created)")
    command("config", "print the effective settings, secrets masked")
    schema = command("schemas", "write the JSON Schemas, or check them for drift")
    schema.add_argument("--dir", type=Path, default=Path("schemas"), help="folder of the schema files")
    schema.add_argument("--check", action="store_true", help="exit 1 if the committed schemas drifted")
    evaluate = commands.add_parser("eval", help="score quality on labelled data (boilerplate, dedup, regions, "
                                   "ner, layouts)", description="Score quality on labelled data.")  # fmt: skip
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
    corpus.add_argument("--bbc-backfill", type=Path, metavar="BBC",
                        help="bbc articles.jsonl.gz as a weeks-long backfill with copies, out of time order, "
                             "read partition by partition (exact re-posts, copy links, abridged copies)")  # fmt: skip
    dedup.add_argument("--limit", type=int, default=0, help="with --bbc or --bbc-backfill: the first N articles")
    dedup.add_argument("--days", type=float, default=28.0, help="with --bbc-backfill: publication dates spread")
    dedup.add_argument("--partitions", type=int, default=3, help="with --bbc-backfill: input partitions")
    dedup.add_argument("--topics", choices=("all", "odd", "even"), default="all",
                       help="with --ecbplus: all topics, or the odd (tuning) / even (held-out) half")  # fmt: skip
    dedup.add_argument("--orders", type=int, default=1,
                       help="also score N stream orders (the file's and N-1 shuffles): mean, min, max story F1; "
                            "not with --bbc-backfill")  # fmt: skip
    _add_tag_evals(evals)
    _add_layout_eval(evals)
    generate = command("generate", "write a synthetic raw stream of any size, and its truth")
    generate.add_argument("--count", type=int, default=10_000, help="events to write")
    generate.add_argument("--seed", type=int, default=7, help="seeds the stream: the same seed, the same bytes")
    generate.add_argument("--out", type=Path, required=True, help="JSONL of raw values (one per line, for replay)")
    generate.add_argument("--truth", type=Path, help="JSONL: per event its kind, story, copied event, countries")
    demo = command("demo", "write the demo stream as JSONL (for replay)")
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
    if args.embedded or (args.demo and not settings.kafka.bootstrap_servers):
        settings = settings.model_copy(update={"kafka": settings.kafka.model_copy(update={"embedded": True})})
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
    servers, topics = running.settings.kafka.bootstrap_servers, running.settings.topics
    cli = _cli_path()
    watch = "\n".join(f"  {cli} tail --bootstrap-servers {servers} --topic {topic} --from-beginning"
                      for topic in (topics.enriched, topics.duplicates, topics.rejected))  # fmt: skip
    print(
        f"\ndemo: {len(events)} events processed -> "
        + ", ".join(f"{name}={totals[name]}" for name in ("enriched", "duplicate", "rejected"))
        + f"\nmetrics: {running.http_url}/metrics   health: {running.http_url}/readyz"
        + f"\nbroker: {servers} (embedded: memory only)   Ctrl-C to stop"
        + f"\nwatch the outputs from another terminal:\n{watch}\n",
        flush=True,
    )


def _cli_path() -> str:
    """How to call this command again: its path when not on PATH (the project's virtualenv)."""
    found = shutil.which("news-ingest")
    here = Path(sys.argv[0]) if sys.argv and sys.argv[0].endswith("news-ingest") else None
    if here is not None and (found is None or Path(found).resolve() != here.resolve()):
        return os.path.relpath(here) if not os.path.relpath(here).startswith("..") else str(here)
    return "news-ingest" if found else f"{sys.executable} -m news_ingest.cli"


def _with_servers(settings: Settings, servers: str | None) -> Settings:
    servers = servers or settings.kafka.bootstrap_servers
    if not servers:
        raise ConfigError("no Kafka cluster set: set NEWS_INGEST_KAFKA__BOOTSTRAP_SERVERS or pass --bootstrap-servers")
    kafka = settings.kafka.model_copy(update={"bootstrap_servers": servers})
    return settings.model_copy(update={"kafka": kafka})


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    configured = _with_servers(settings, args.bootstrap_servers)
    values = [line for line in args.file.read_bytes().splitlines() if line.strip()]
    progress = Progress("replay", len(values))

    def sent(count: int) -> None:
        progress.advance(count - progress.done)

    asyncio.run(produce_values(configured.kafka, configured.topics.raw, values, rate=args.rate, progress=sent))
    print(f"replayed {len(values)} events to {configured.topics.raw} in {progress.finish():.1f}s")
    return 0


def _tail(args: argparse.Namespace, settings: Settings) -> int:
    configured = _with_servers(settings, args.bootstrap_servers)
    topic = args.topic or configured.topics.enriched
    colour = sys.stdout.isatty() and not os.environ.get("NO_COLOR")

    async def follow() -> int:
        shown = 0
        async for record in consume_values(configured.kafka, topic, from_beginning=args.from_beginning,
                                           limit=args.max, until_idle=args.until_idle):  # fmt: skip
            if args.json:
                sys.stdout.buffer.write((record.value or b"null") + b"\n")
                sys.stdout.flush()
            else:
                print(describe(record, colour=colour), flush=True)
            shown += 1
        return shown

    with contextlib.suppress(KeyboardInterrupt):
        shown = asyncio.run(follow())
        if args.until_idle:
            print(f"{shown} records on {topic}", file=sys.stderr)
    return 0


_COLOURS = {"unique": "32", "near_duplicate": "33", "exact_duplicate": "33", "REJECTED": "31"}


def describe(record: SourceRecord, *, colour: bool = False) -> str:
    """One readable line per output record: where it came from, its status, title and countries."""
    where = f"{record.topic}[{record.partition}]@{record.offset}"
    try:
        article = decode_enriched(record.value or b"")
    except ValidationError:
        try:
            rejected = decode_rejected(record.value or b"")
        except ValidationError:
            return f"{where} (not a news-ingest record, {len(record.value or b'')} bytes)"
        reason = f"{rejected.reason.value} at {rejected.stage.value}"
        return f"{where} {_paint('REJECTED', colour)} {reason}: {rejected.detail}"
    countries = ",".join(tag.code for tag in article.regions.countries) or "-"
    status = _paint(f"{article.dedup.status.value:<15}", colour, article.dedup.status.value)
    return f"{where} {status} {countries:<10} {article.source or '-'}: {article.title or article.body[:80]}"


def _paint(text: str, colour: bool, key: str | None = None) -> str:
    code = _COLOURS.get(key or text.strip())
    return f"\033[{code}m{text}\033[0m" if colour and code else text


def _process(args: argparse.Namespace, settings: Settings) -> int:
    """Offline: the same pipeline and encoder as the service, each output appended to ``<topic>.jsonl``.
    Nothing is left behind when it fails: the files are written under temporary names and renamed at the
    end, and a folder it created is removed."""
    topics = (settings.topics.enriched, settings.topics.duplicates, settings.topics.rejected)
    lines = args.input.read_bytes().splitlines()
    created = not args.out.exists()
    args.out.mkdir(parents=True, exist_ok=True)
    partial = {topic: args.out / f".{topic}.jsonl.partial" for topic in topics}
    try:
        for path in partial.values():
            path.touch()  # an unwritable folder fails here, before the work
        records = [
            SourceRecord(topic=settings.topics.raw, partition=0, offset=offset, key=None, value=line)
            for offset, line in enumerate(lines)
        ]
        progress = Progress("process", len(records))
        handled = asyncio.run(_handle_in_batches(settings, records, batch=settings.consumer.max_batch_records,
                                                 progress=progress))  # fmt: skip
        counts: Counter[str] = Counter()
        with contextlib.ExitStack() as stack:
            files = {topic: stack.enter_context(path.open("wb")) for topic, path in partial.items()}
            for _, output in handled:
                files[output.topic].write(output.value + b"\n")
                counts[output.topic] += 1
        for topic, path in partial.items():
            path.replace(args.out / f"{topic}.jsonl")
    except BaseException:
        for path in partial.values():
            path.unlink(missing_ok=True)
        if created:
            shutil.rmtree(args.out, ignore_errors=True)
        raise
    seconds = progress.finish()
    print(f"processed {counts.total()} lines -> " + ", ".join(f"{t}={counts[t]}" for t in topics)
          + f" in {args.out} ({seconds:.1f}s)")  # fmt: skip
    return 0


async def _handle_in_batches(
    settings: Settings, records: list[SourceRecord], *, batch: int, progress: Progress | None = None
) -> list[Handled]:
    tagger = build_tagger(settings.tag)
    try:
        pipeline = build_pipeline(settings, Metrics(CollectorRegistry()), tagger=tagger)
        settle_heap(settings.runtime)
        handled: list[Handled] = []
        for start in range(0, len(records), batch):
            chunk = records[start : start + batch]
            handled += await pipeline.handle_batch(chunk)
            if progress is not None:
                progress.advance(len(chunk))
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
        if not drifted:
            print(f"schemas in {args.dir} match the models")
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
        print(f"wrote {len(data.splitlines())} demo events to {args.out}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
