"""``news-ingest eval dedup``: how the dedup stage's clusters agree with labelled same-story clusters."""

from __future__ import annotations

import csv
import gzip
import hashlib
import random
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import orjson

from news_ingest.config import DedupSettings
from news_ingest.deduplicate.index import Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from news_ingest.deduplicate.stage import Deduplicator
from news_ingest.errors import InputRejected
from news_ingest.evaluation.scoring import ClusterScore, cluster_agreement
from news_ingest.models import Article, DedupStatus, RawArticle
from news_ingest.normalise.stage import Normaliser

_BATCH = 500
_SPELLINGS = {"colour": "color", "favour": "favor", "defence": "defense", "organis": "organiz", "centre": "center",
              "labour": "labor", "programme": "program", "realis": "realiz", "behaviour": "behavior"}  # fmt: skip


@dataclass(frozen=True, slots=True)
class LabelledDoc:
    """One article and the gold cluster (story) it belongs to."""

    id: str
    title: str
    body: str
    cluster: str
    published_at: str | None = None  # stream time, when the data has it


@dataclass(frozen=True, slots=True)
class DedupReport:
    """Agreement with the gold clusters at two levels, plus how many articles each decision got.

    ``stories``: the service's ``cluster_id`` (copies and other write-ups of one event together).
    ``copies``: each article's copy root (follow ``duplicate_of`` to the first copy; story joins not counted),
    the level to read when the gold clusters are copies of one text rather than events.
    """

    documents: int
    statuses: dict[str, int]
    stories: ClusterScore
    copies: ClusterScore
    settings_version: str

    def lines(self, label: str) -> list[str]:
        counts = ", ".join(f"{status}={count}" for status, count in sorted(self.statuses.items()))
        lines = [f"{label}: {self.documents} articles ({counts}); settings {self.settings_version}"]
        for level, score in (("story clusters", self.stories), ("copy clusters", self.copies)):
            pairs = score.pairs
            lines.append(
                f"  {level}: pairs precision {pairs.precision:.3f}  recall {pairs.recall:.3f}  F1 {pairs.f1:.3f}"
                f"  ARI {score.adjusted_rand_index:.3f}  purity {score.purity:.3f}"
            )
        return lines


async def evaluate_dedup(docs: list[LabelledDoc], normaliser: Normaliser, settings: DedupSettings) -> DedupReport:
    """Stream the documents through normalise and deduplicate (fresh in-memory index), in the given order."""
    deduplicate = Deduplicator(index=InMemoryDedupIndex(Thresholds.from_settings(settings)), settings=settings)
    kept: list[tuple[LabelledDoc, Article]] = []
    for doc in docs:
        try:
            raw = RawArticle(url=f"https://eval.invalid/{doc.id}", title=doc.title or None, body=doc.body,
                             published_at=doc.published_at)  # fmt: skip
            kept.append((doc, normaliser(raw)))
        except InputRejected:
            continue
    stories: list[str] = []
    copies: list[str] = []
    root: dict[str, str] = {}  # article id -> first copy of its text
    statuses: dict[str, int] = {status.value: 0 for status in DedupStatus}
    for start in range(0, len(kept), _BATCH):
        batch = kept[start : start + _BATCH]
        decisions = await deduplicate([(f"eval/{doc.id}", article) for doc, article in batch])
        for (_, article), decision in zip(batch, decisions, strict=True):
            original = decision.duplicate_of if decision.status is not DedupStatus.UNIQUE else None
            root.setdefault(article.article_id, root.get(original, original) if original else article.article_id)
            stories.append(decision.cluster_id or article.article_id)
            copies.append(root[article.article_id])
            statuses[decision.status.value] += 1
    gold = [doc.cluster for doc, _ in kept]
    return DedupReport(len(kept), statuses, cluster_agreement(stories, gold), cluster_agreement(copies, gold),
                       settings.version())  # fmt: skip


@dataclass(frozen=True, slots=True)
class OrdersReport:
    """Story-level agreement over several stream orders: the same articles, the decisions each order gives.

    An online clusterer's result depends on which write-up of an event comes first; a figure from one order
    can sit a few points above or below another's, so a change is worth keeping when the mean moves."""

    orders: int
    f1: list[float]
    precision: list[float]
    recall: list[float]

    def lines(self) -> list[str]:
        def spread(values: list[float]) -> str:
            return f"mean {statistics.fmean(values):.3f} (min {min(values):.3f}, max {max(values):.3f})"

        return [
            f"  story clusters over {self.orders} orders (the file's, then shuffles with seeds 1..{self.orders - 1}):",
            f"    pairs F1 {spread(self.f1)}",
            f"    pairs precision {spread(self.precision)}  recall {spread(self.recall)}",
        ]


async def evaluate_orders(
    docs: list[LabelledDoc], normaliser: Normaliser, settings: DedupSettings, *, orders: int
) -> OrdersReport:
    """``evaluate_dedup`` on the documents in the file's order and in ``orders - 1`` shuffled ones."""
    f1, precision, recall = [], [], []
    for seed in range(orders):
        stream = list(docs)
        if seed:
            random.Random(seed).shuffle(stream)  # noqa: S311 - reproducible orders for evaluation, not security
        pairs = (await evaluate_dedup(stream, normaliser, settings)).stories.pairs
        f1.append(pairs.f1)
        precision.append(pairs.precision)
        recall.append(pairs.recall)
    return OrdersReport(orders, f1, precision, recall)


def jsonl_docs(path: Path) -> list[LabelledDoc]:
    """A user's own data: one ``{"id", "title"?, "body", "cluster"}`` object per line, in stream order."""
    docs = []
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        if line.strip():
            record = orjson.loads(line)
            docs.append(LabelledDoc(str(record.get("id", number)), record.get("title") or "", record["body"],
                                    str(record["cluster"])))  # fmt: skip
    return docs


def ecbplus_docs(path: Path, *, topics: str = "all") -> list[LabelledDoc]:
    """ECB+: same-event clusters, each topic holding a similar but different event (hard negatives).
    ``topics``: ``all``, or ``odd`` / ``even`` topic numbers (tune on one half, report on the other)."""
    parity = {"all": None, "odd": 1, "even": 0}[topics]
    return [
        LabelledDoc(
            record["doc_id"],
            record.get("title") or "",
            record.get("text") or record.get("title") or "",
            record["cluster_id"],
        )
        for record in _gzip_jsonl(path)
        if parity is None or int(record["topic"]) % 2 == parity
    ]


def newswcl50_docs(path: Path) -> list[LabelledDoc]:
    """NewsWCL50: ten events, each reported by five outlets in their own words."""
    return [LabelledDoc(record["doc_id"], "", record["text"], record["event_id"]) for record in _gzip_jsonl(path)]


def bbc_syndication(path: Path, *, limit: int = 0, seed: int = 7) -> list[LabelledDoc]:
    """BBC articles plus generated syndicated copies with known ground truth: re-posted verbatim, retitled and
    trimmed with aggregator chrome, abridged to the first paragraphs, and respelled with a wire dateline.
    Originals with byte-identical bodies (natural duplicates in the set) share a gold cluster."""
    records = list(_gzip_jsonl(path))[: limit or None]
    originals = [
        LabelledDoc(r["id"], r["title"], r["body"], hashlib.blake2b(r["body"].encode(), digest_size=8).hexdigest())
        for r in records
    ]
    copies = [copy for doc in originals for copy in _copies(doc)]
    random.Random(seed).shuffle(copies)  # noqa: S311 - a reproducible order for evaluation, not security
    return originals + copies


def _copies(doc: LabelledDoc) -> list[LabelledDoc]:
    paragraphs = [p for p in doc.body.split("\n\n") if p.strip()]
    trimmed = "\n\n".join(paragraphs[:-1] or paragraphs)
    abridged = "\n\n".join(paragraphs[: max(1, len(paragraphs) * 2 // 5)])
    respelled = doc.body
    for british, american in _SPELLINGS.items():
        respelled = respelled.replace(british, american)
    chrome = "\n\nUnited Kingdom Latest News, United Kingdom Headlines\nRead more \u00bb"
    return [
        LabelledDoc(f"{doc.id}~repost", doc.title, doc.body, doc.cluster),
        LabelledDoc(f"{doc.id}~retitled", f"{doc.title} - latest", trimmed + chrome, doc.cluster),
        LabelledDoc(f"{doc.id}~abridged", doc.title, abridged, doc.cluster),
        LabelledDoc(f"{doc.id}~respelled", doc.title, f"LONDON (Reuters) - {respelled}", doc.cluster),
    ]


def uci_headlines(path: Path) -> list[LabelledDoc]:
    """UCI News Aggregator sample: headlines only, in time order, gold = the aggregator's story id."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as lines:
        rows = sorted(csv.DictReader(lines), key=lambda row: int(row["TIMESTAMP"]))
    return [
        LabelledDoc(row["ID"], "", row["TITLE"], row["STORY"],
                    datetime.fromtimestamp(int(row["TIMESTAMP"]) / 1000, tz=UTC).isoformat())
        for row in rows
    ]  # fmt: skip


def _gzip_jsonl(path: Path) -> Iterator[dict[str, str]]:
    with gzip.open(path, "rb") as lines:
        for line in lines:
            if line.strip():
                yield orjson.loads(line)
