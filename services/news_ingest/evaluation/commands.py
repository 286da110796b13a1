"""The ``eval`` and ``generate`` commands: evaluation data in, figures out (loaded only for these commands)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import itertools
import tarfile
import zlib
from pathlib import Path

from news_ingest.app import build_index, build_normaliser, build_tagger, shared_gazetteer
from news_ingest.config import Settings
from news_ingest.deduplicate.stage import Deduplicator
from news_ingest.errors import ConfigError
from news_ingest.evaluation import backfill, boilerplate, dedup, layouts, ner, regions, synthetic


def evaluate(args: argparse.Namespace, settings: Settings) -> int:
    """``news-ingest eval <evaluation>``: print the evaluation's figures. A file in another format than the
    evaluation reads is a :class:`ConfigError` naming the file and what was wrong, not a traceback."""
    run = {"dedup": _eval_dedup, "ner": _eval_ner, "regions": _eval_regions, "boilerplate": _eval_boilerplate,
           "layouts": _eval_layouts}  # fmt: skip
    try:
        return run[args.evaluation](args, settings)
    except _FORMAT_ERRORS as error:
        source = next((value for value in vars(args).values() if isinstance(value, Path)), None)
        what = f"missing field {error}" if isinstance(error, KeyError) else f"{type(error).__name__}: {error}"
        raise ConfigError(f"{source} is not in the format `eval {args.evaluation}` reads ({what})") from error


# What reading a file of the wrong kind raises: no "cluster" key, not gzip, not a tarball, not JSON, not text.
_FORMAT_ERRORS = (KeyError, TypeError, ValueError, EOFError, gzip.BadGzipFile, tarfile.TarError, zlib.error)


def _eval_regions(args: argparse.Namespace, settings: Settings) -> int:
    if args.jsonl:
        docs, label = regions.jsonl_docs(args.file), str(args.file)
    else:
        docs, label = regions.reuters_docs(args.file, split=args.split), f"Reuters-21578 ({args.split} split)"
    # The service's tag stage, entities included: where it finds people decides which place names are names.
    tagger = build_tagger(settings.tag)
    try:
        found = regions.evaluate_regions(docs, build_normaliser(), lambda article: asyncio.run(tagger([article]))[0]
                                         .regions, shared_gazetteer())  # fmt: skip
    finally:
        tagger.close()
    print("\n".join(found.lines(f"{label}, {settings.tag.profile} profile")))
    return 0


def _eval_boilerplate(args: argparse.Namespace, _: Settings) -> int:
    if args.jsonl:
        pages, label = boilerplate.jsonl_pages(args.jsonl), str(args.jsonl)
    elif args.aeb:
        pages, label = boilerplate.article_extraction_pages(args.aeb), "article-extraction-benchmark"
    else:
        pages, label = boilerplate.l3s_pages(args.l3s), "L3S-GN1"
    if args.limit:
        pages = itertools.islice(pages, args.limit)
    report = boilerplate.evaluate_boilerplate(pages, build_normaliser())
    print("\n".join(report.lines(label)))
    return 0


def _eval_ner(args: argparse.Namespace, settings: Settings) -> int:
    chosen = {"profile": args.profile, "ner_max_chars": args.max_chars}
    tag = settings.tag.model_copy(update={key: value for key, value in chosen.items() if value is not None})
    docs = list(ner.meantime_docs(args.file) if args.file.is_dir() else ner.conll_docs(args.file))
    docs = docs[: args.limit or None]
    if args.baseline:
        report = ner.evaluate_ner(docs, ner.SpacyAlone(tag.ner_model))
        print("\n".join(report.lines(f"{args.file.name} (spaCy {tag.ner_model} alone)")))
        return 0
    tagger = build_tagger(tag)
    try:
        report = ner.evaluate_ner(docs, tagger.extractor)
    finally:
        tagger.close()
    cut = f", model reads {tag.ner_max_chars} chars" if tag.profile == "full" else ""
    print("\n".join(report.lines(f"{args.file.name} ({tag.profile} profile{cut})")))
    return 0


def _eval_layouts(args: argparse.Namespace, settings: Settings) -> int:
    if args.jsonl:
        stories, label = list(layouts.jsonl_stories(args.jsonl)), str(args.jsonl)
    else:
        stories, label = layouts.shared_stories(args.shared, per_set=args.per_set, seed=args.seed), str(args.shared)
    tag = settings.tag.model_copy(update={"profile": args.profile}) if args.profile else settings.tag
    tagger = build_tagger(tag)
    deduplicator = Deduplicator(index=build_index(settings.dedup), settings=settings.dedup)
    try:
        report = asyncio.run(layouts.Checker(build_normaliser(), tagger, deduplicator).compare(stories, seed=args.seed))
    finally:
        tagger.close()
    print("\n".join(report.lines(f"{label} ({tag.profile} profile)", show=args.show)))
    return 0


def _eval_dedup(args: argparse.Namespace, settings: Settings) -> int:
    if args.orders < 1 or (args.orders > 1 and args.bbc_backfill):
        raise ConfigError("--orders takes a count of 1 or more, and not with --bbc-backfill (its order is the test)")
    if args.bbc_backfill:
        stream = backfill.bbc_backfill(args.bbc_backfill, limit=args.limit, days=args.days,
                                       partitions=args.partitions)  # fmt: skip
        deduplicator = Deduplicator(index=build_index(settings.dedup), settings=settings.dedup)
        found = asyncio.run(backfill.evaluate_backfill(stream, build_normaliser(), deduplicator))
        print("\n".join(found.lines(f"BBC backfill ({settings.dedup.version()})")))
        return 0
    if args.jsonl:
        docs, label = dedup.jsonl_docs(args.jsonl), str(args.jsonl)
    elif args.ecbplus:
        docs, label = dedup.ecbplus_docs(args.ecbplus, topics=args.topics), f"ECB+ ({args.topics} topics)"
    elif args.newswcl50:
        docs, label = dedup.newswcl50_docs(args.newswcl50), "NewsWCL50"
    elif args.uci:
        docs, label = dedup.uci_headlines(args.uci), "UCI News Aggregator headlines"
    else:
        docs, label = dedup.bbc_syndication(args.bbc, limit=args.limit), "BBC + syndicated copies"
    report = asyncio.run(dedup.evaluate_dedup(docs, build_normaliser(), settings.dedup))
    print("\n".join(report.lines(label)))
    if args.orders > 1:
        orders = asyncio.run(dedup.evaluate_orders(docs, build_normaliser(), settings.dedup, orders=args.orders))
        print("\n".join(orders.lines()))
    return 0


def generate(args: argparse.Namespace, _: Settings) -> int:
    """``news-ingest generate``: a synthetic stream of ``--count`` events, and its truth if asked."""
    with contextlib.ExitStack() as files:
        out = files.enter_context(args.out.open("wb"))
        truth = files.enter_context(args.truth.open("wb")) if args.truth else None
        for value, fact in synthetic.generate(args.count, seed=args.seed):
            out.write(value + b"\n")
            if truth is not None:
                truth.write(fact.to_json() + b"\n")
    print(f"wrote {args.count} events to {args.out}" + (f", truth to {args.truth}" if args.truth else ""))
    return 0
