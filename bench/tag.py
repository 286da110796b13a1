"""Tag stage benchmark: articles/s of each extractor configuration, and the full profile against bare spaCy.

Texts: BBC News articles (../shared/data, first 600) or the demo stream. "bare nlp.pipe" is spaCy alone on
the same texts, cut to the same ``ner_max_chars``, with ``n_process`` = the service's ``ner_processes``: the
ceiling the service's full profile is held to (issue #5 asks for at least 0.8 of it).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import time
from pathlib import Path

import orjson

from news_ingest.app import build_normaliser, build_tagger, settle_heap
from news_ingest.config import Settings
from news_ingest.demo import STORIES
from news_ingest.models import RawArticle
from news_ingest.tag.ner import load
from news_ingest.tag.stage import tagged_text

BBC = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bbc-news" / "articles.jsonl.gz"
BATCH = 500


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    parser.add_argument("--data", type=Path, default=BBC, help="BBC articles, jsonl.gz")
    parser.add_argument("--demo", action="store_true", help="time the demo stories instead of the BBC articles")
    args = parser.parse_args()
    normalise = build_normaliser()
    if not args.demo and not args.data.exists():
        parser.error(f"no BBC articles at {args.data}: pass --data PATH, or --demo to time the demo stories")
    if not args.demo:
        with gzip.open(args.data) as lines:
            records = [orjson.loads(line) for line in lines][: args.articles]
        raws = [
            RawArticle(url=f"https://bbc.invalid/{n}", title=r["title"], body=r["body"]) for n, r in enumerate(records)
        ]
        corpus = f"bbc-news (first {len(raws)})"
    else:
        raws = [RawArticle(url=f"https://demo.invalid/{s.slug}", title=s.title, body="\n\n".join(s.paragraphs))
                for s in STORIES] * 20  # fmt: skip
        corpus = "demo stories"
    articles = [normalise(raw) for raw in raws]
    service = Settings()  # the environment's settings, as the service reads them
    settings, runtime = service.tag, service.runtime
    result: dict[str, object] = {"benchmark": "tag", "corpus": corpus, "articles": len(articles),
                                 "mean_chars": sum(len(tagged_text(a)) for a in articles) // len(articles),
                                 "cores": os.cpu_count(), "ner_processes": settings.ner_processes,
                                 "ner_max_chars": settings.ner_max_chars}  # fmt: skip
    for profile in ("fast", "full"):
        tagger = build_tagger(settings.model_copy(update={"profile": profile}))
        settle_heap(runtime)  # as the service does once it is built
        try:
            asyncio.run(tagger(articles[:20]))  # warm-up: worker processes start and load the model
            started = time.perf_counter()
            for start in range(0, len(articles), BATCH):
                asyncio.run(tagger(articles[start : start + BATCH]))
            result[f"{profile}_articles_per_s"] = round(len(articles) / (time.perf_counter() - started), 1)
        finally:
            tagger.close()
    nlp = load(settings.ner_model)
    texts = [tagged_text(a)[: settings.ner_max_chars] for a in articles]
    list(nlp.pipe(texts[:20], batch_size=settings.ner_batch_size, n_process=settings.ner_processes))
    started = time.perf_counter()
    list(nlp.pipe(texts, batch_size=settings.ner_batch_size, n_process=settings.ner_processes))
    result["bare_nlp_pipe_articles_per_s"] = round(len(texts) / (time.perf_counter() - started), 1)
    result["full_vs_bare"] = round(
        float(result["full_articles_per_s"]) / float(result["bare_nlp_pipe_articles_per_s"]), 2
    )  # type: ignore[arg-type]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "tag.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    print(f"tag stage on {corpus}, mean {result['mean_chars']} chars, {result['cores']} cores:")
    print(f"  fast profile (gazetteer + rules): {result['fast_articles_per_s']} articles/s")
    print(f"  full profile (+ spaCy NER, {settings.ner_processes} processes, first {settings.ner_max_chars} chars):"
          f" {result['full_articles_per_s']} articles/s")  # fmt: skip
    print(f"  bare nlp.pipe, same texts and processes: {result['bare_nlp_pipe_articles_per_s']} articles/s"
          f" -> full profile at {result['full_vs_bare']} of it")  # fmt: skip


if __name__ == "__main__":
    main()
