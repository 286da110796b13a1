"""``news-ingest eval ner``: people, organisations and places against CoNLL-2003's gold, per article.

Each CoNLL document (a Reuters article, tokens joined by spaces, one sentence per line) goes through the
configured entity extractor as one text. Scored over PER, ORG and LOC (MISC is not a type this service
tags): exact character spans and type ("mentions"), and each article's set of distinct (type, name) pairs
("article level", what a search facet or an alert rule sees).
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from news_ingest.evaluation.scoring import Score
from news_ingest.models import EntityType
from news_ingest.tag.entities import EntityExtractor
from news_ingest.tag.span import Span

_TYPES = {EntityType.PERSON: "PER", EntityType.ORG: "ORG", EntityType.LOC: "LOC"}
_BATCH = 64
Item = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class NerDoc:
    text: str
    gold: list[tuple[int, int, str]]  # start, end, PER | ORG | LOC


@dataclass(frozen=True, slots=True)
class NerReport:
    documents: int
    mentions: dict[str, Score]  # per type and "all"
    articles: dict[str, Score]

    def lines(self, label: str) -> list[str]:
        rows = [f"{label}: {self.documents} articles"]
        for level, scores in (("mentions (exact span + type)", self.mentions), ("article level (type, name)",
                                                                                 self.articles)):  # fmt: skip
            cells = "  ".join(
                f"{kind} P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f}" for kind, s in scores.items()
            )
            rows.append(f"  {level}: {cells}")
        return rows


def conll_docs(path: Path) -> Iterator[NerDoc]:
    """CoNLL-2003 per article (``{split}.docs.jsonl.gz`` under ../shared/data/conll2003), or a user's own
    labelled articles in the same layout, gzipped or not."""
    with gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb") as lines:
        for line in lines:
            if not line.strip():
                continue
            record = orjson.loads(line)
            gold = [(e["start"], e["end"], e["type"]) for e in record["entities"] if e["type"] in ("PER", "ORG", "LOC")]
            yield NerDoc(record["text"], gold)


def evaluate_ner(docs: list[NerDoc], extractor: EntityExtractor) -> NerReport:
    found: list[list[Span]] = []
    for start in range(0, len(docs), _BATCH):
        found += asyncio.run(extractor.spans([doc.text for doc in docs[start : start + _BATCH]]))
    kinds = ("PER", "ORG", "LOC", "all")
    mention_counts = {kind: [0, 0, 0] for kind in kinds}  # true positives, predicted, gold
    article_counts = {kind: [0, 0, 0] for kind in kinds}
    for doc, spans in zip(docs, found, strict=True):
        predicted: set[Item] = {(s.start, s.end, _TYPES[s.type]) for s in spans}
        gold: set[Item] = set(doc.gold)
        _count(mention_counts, predicted, gold, lambda item: str(item[2]))
        names: set[Item] = {(kind, doc.text[start:end]) for start, end, kind in predicted}
        gold_names: set[Item] = {(kind, doc.text[start:end]) for start, end, kind in gold}
        _count(article_counts, names, gold_names, lambda item: str(item[0]))
    return NerReport(len(docs), _scores(mention_counts), _scores(article_counts))


def _count(counts: dict[str, list[int]], predicted: set[Item], gold: set[Item], kind_of: Callable[[Item], str]) -> None:
    for kind in ("PER", "ORG", "LOC"):
        mine = {item for item in predicted if kind_of(item) == kind}
        theirs = {item for item in gold if kind_of(item) == kind}
        for name in (kind, "all"):
            counts[name][0] += len(mine & theirs)
            counts[name][1] += len(mine)
            counts[name][2] += len(theirs)


def _scores(counts: dict[str, list[int]]) -> dict[str, Score]:
    return {kind: Score.of(true_positive=tp, predicted=p, actual=a) for kind, (tp, p, a) in counts.items()}
