"""``news-ingest eval ner``: people, organisations, places against CoNLL-2003's or MEANTIME's gold, per article.

Each CoNLL document (a Reuters article, tokens joined by spaces, one sentence per line) goes through the
configured entity extractor as one text. MEANTIME (120 English Wikinews articles of 2004-2011, CC BY 4.0, as
parsed for cross-document coreference in ``../shared/data/meantime-en``) is read the same way: its sentences
one per line (the first is the headline), tokens joined by spaces. Its gold is a coreference annotation, so it
holds pronouns and descriptions ("the company", "he") beside names, and long mentions ("Apple Computer CEO
Steve Jobs"): only mentions whose head is a proper noun are kept, cut to the run of capitalised words around
the head ("Steve Jobs"); PRO (products) and FIN (financial terms) are not types this service tags. Only the
first six sentences of an article are annotated throughout, so only they are scored, and the 16 articles with
no named mention annotated are left out. A few names are still unannotated, so precision there is a lower bound.

Scored over PER, ORG and LOC (MISC is not a type this service tags): exact character spans and type
("mentions"), and each article's set of distinct (type, name) pairs ("article level", what a search facet or
an alert rule sees). ``SpacyAlone`` is the baseline: the model with no rules.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from news_ingest.evaluation.scoring import Score
from news_ingest.models import EntityType
from news_ingest.tag import ner as tag_ner
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
    main_found: int  # the main people and organisations (``main_names``) found, of
    main_total: int

    def lines(self, label: str) -> list[str]:
        rows = [f"{label}: {self.documents} articles"]
        for level, scores in (("mentions (exact span + type)", self.mentions), ("article level (type, name)",
                                                                                 self.articles)):  # fmt: skip
            cells = "  ".join(
                f"{kind} P {s.precision:.3f} R {s.recall:.3f} F1 {s.f1:.3f}" for kind, s in scores.items()
            )
            rows.append(f"  {level}: {cells}")
        per, org = self.articles["PER"], self.articles["ORG"]
        rows.append(f"  main people and organisations (named twice, or in the headline): found {self.main_found} of "
                    f"{self.main_total} ({self.main_found / max(1, self.main_total):.3f}); article-level precision "
                    f"PER {per.precision:.3f} ORG {org.precision:.3f}")  # fmt: skip
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


class SpacyAlone:
    """spaCy's NER and nothing else, its spans trimmed as the full profile trims them ("the", possessives)."""

    def __init__(self, model: str) -> None:
        self._nlp = tag_ner.load(model)

    async def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        found = []
        for text, doc in zip(texts, self._nlp.pipe(texts), strict=True):
            spans = (tag_ner.model_span(text, e.start_char, e.end_char, e.label_) for e in doc.ents)
            found.append([span for span in spans if span is not None])
        return found

    def close(self) -> None:
        return None


def meantime_docs(folder: Path) -> Iterator[NerDoc]:
    """MEANTIME's articles with their named PER/ORG/LOC mentions (see the module docstring)."""
    sentences: dict[str, dict[int, list[str]]] = {}
    with gzip.open(folder / "meantime.conll.gz", "rt", encoding="utf-8") as lines:
        for line in lines:
            fields = line.rstrip("\n").split("\t")
            if line.startswith("#") or len(fields) < 4:  # doc key, sentence, token, word
                continue
            sentences.setdefault(fields[0], {}).setdefault(int(fields[1]), []).append(fields[3])
    with gzip.open(folder / "entities_mentions.json.gz", "rb") as raw:
        mentions = orjson.loads(raw.read())
    wanted: dict[str, set[tuple[int, int, int, str]]] = {}
    for mention in mentions:
        kind, doc = mention["mention_type"], mention["conll_doc_key"]
        if kind in ("PER", "ORG", "LOC") and mention["mention_head_pos"] == "PROPN" and doc in sentences:
            words = sentences[doc].get(mention["sent_id"], [])
            first, last = _name_around(words, mention["mention_head_id"], mention["tokens_number"])
            if first <= last:
                wanted.setdefault(doc, set()).add((mention["sent_id"], first, last, kind))
    for doc in sorted(sentences):
        if doc not in wanted:
            continue  # 16 articles have no named mention annotated
        order = sorted(sentences[doc])[:_ANNOTATED_SENTENCES]
        starts, offset = {}, 0
        for number in order:
            starts[number] = offset
            offset += len(" ".join(sentences[doc][number])) + 1
        text = "\n".join(" ".join(sentences[doc][number]) for number in order)
        gold = []
        for sentence, first, last, kind in sorted(wanted[doc]):
            if sentence not in starts:
                continue
            words = sentences[doc][sentence]
            start = starts[sentence] + len(" ".join(words[:first])) + (1 if first else 0)
            gold.append((start, start + len(" ".join(words[first : last + 1])), kind))
        yield NerDoc(text, gold)


def _name_around(words: list[str], head: int, tokens: list[int]) -> tuple[int, int]:
    """The run of capitalised words (and "of", "and", "&" between them) around the head, inside the mention."""
    inside = set(tokens)
    if head not in inside or head >= len(words):
        return 1, 0
    first = last = head
    while first - 1 in inside and (_name_word(words[first - 1]) or _joins(words, first - 1, inside)):
        first -= 1
    while (
        last + 1 in inside
        and last + 1 < len(words)
        and (_name_word(words[last + 1]) or _joins(words, last + 1, inside))
    ):
        last += 1
    while words[first] in _JOINERS:
        first += 1
    while words[last] in _JOINERS:
        last -= 1
    return first, last


def _joins(words: list[str], at: int, inside: set[int]) -> bool:
    """ "of", "and", "&" between two capitalised words ("Defence and Space Company")."""
    return (words[at] in _JOINERS and at - 1 in inside and at + 1 in inside and at + 1 < len(words)
            and _name_word(words[at - 1]) and _name_word(words[at + 1]))  # fmt: skip


def _name_word(word: str) -> bool:
    return word[:1].isupper() and not (word.isupper() and len(word) > 1 and word in _ROLE_ACRONYMS)


# Every entity mention is annotated in an article's first six sentences (headline, date line, four of the
# body); after them only entities linked across articles are, and no places: the rest would score as errors.
_ANNOTATED_SENTENCES = 6
_JOINERS = frozenset(("of", "and", "&", "de", "for"))
_ROLE_ACRONYMS = frozenset(("CEO", "CFO", "COO", "CTO", "MP", "MEP", "US", "U.S."))


def evaluate_ner(docs: list[NerDoc], extractor: EntityExtractor) -> NerReport:
    found: list[list[Span]] = []
    for start in range(0, len(docs), _BATCH):
        found += asyncio.run(extractor.spans([doc.text for doc in docs[start : start + _BATCH]]))
    kinds = ("PER", "ORG", "LOC", "all")
    mention_counts = {kind: [0, 0, 0] for kind in kinds}  # true positives, predicted, gold
    article_counts = {kind: [0, 0, 0] for kind in kinds}
    main_found = main_total = 0
    for doc, spans in zip(docs, found, strict=True):
        predicted: set[Item] = {(s.start, s.end, _TYPES[s.type]) for s in spans}
        gold: set[Item] = set(doc.gold)
        _count(mention_counts, predicted, gold, lambda item: str(item[2]))
        names: set[Item] = {(kind, doc.text[start:end]) for start, end, kind in predicted}
        gold_names: set[Item] = {(kind, doc.text[start:end]) for start, end, kind in gold}
        _count(article_counts, names, gold_names, lambda item: str(item[0]))
        main = main_names(doc)
        main_found, main_total = main_found + len(main & names), main_total + len(main)
    return NerReport(len(docs), _scores(mention_counts), _scores(article_counts), main_found, main_total)


def main_names(doc: NerDoc) -> set[Item]:
    """The people and organisations an article is about, as an editor would facet it: the gold (type, name)
    pairs named at least twice, or in the first line (the headline)."""
    headline_end = doc.text.find("\n") if "\n" in doc.text else len(doc.text)
    counts: dict[Item, int] = {}
    for start, end, kind in doc.gold:
        if kind in ("PER", "ORG"):
            item = (kind, doc.text[start:end])
            counts[item] = counts.get(item, 0) + (2 if start < headline_end else 1)
    return {item for item, count in counts.items() if count >= 2}


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
