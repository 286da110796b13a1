"""``news-ingest eval backfill``: copies found in a stream delivered out of time order, partition by partition.

A backfill, or a catch-up after an outage, delivers weeks of articles at once: each partition's backlog in
arrival order (publication plus a crawl lag, so not in time order), and on a broker that hands over one
partition's backlog before the next, partition after partition. The stream is built from real articles
(the BBC set) with copies whose truth is known:

- ``repost``: the same article at the same address plus tracking parameters, 30 minutes later (exact).
- ``abridged``: the first 40-60% of the original's paragraphs under another address (a copy).
- ``extended``: the original plus one or two paragraphs of another article (a copy).
- ``retitled``: a new title, the last paragraph cut, aggregator chrome added (a copy).

Reported: reposts caught as ``exact_duplicate``; copy links (original and copy in one ``duplicate_of``
tree) as pair precision and recall; abridged and extended copies flagged as copies in either direction
(the copy, or the original when the copy arrived first).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path

from news_ingest.deduplicate.stage import Deduplicator
from news_ingest.errors import InputRejected
from news_ingest.evaluation.dedup import _gzip_jsonl
from news_ingest.evaluation.scoring import Score
from news_ingest.models import Article, DedupInfo, DedupStatus, RawArticle
from news_ingest.normalise.stage import Normaliser

KINDS = ("repost", "abridged", "extended", "retitled")
_CHROME = "\n\nUnited Kingdom Latest News, United Kingdom Headlines\nRead more \u00bb"
_BATCH = 200


@dataclass(frozen=True, slots=True)
class Delivery:
    """One article as the stream delivers it: the partition it sits on, and its truth."""

    partition: int
    raw: RawArticle
    key: str  # this article's own name in the stream
    group: str  # gold copy group: an original and its copies (and originals with the same body)
    kind: str  # "original" or one of KINDS
    arrival: float  # epoch seconds the crawler fetched it: the order within a partition


@dataclass(slots=True)
class BackfillReport:
    """What the stream's copies became."""

    articles: int
    partitions: int
    days: float
    statuses: dict[str, int]
    reposts: tuple[int, int]  # (caught as exact_duplicate, all)
    links: Score  # copy pairs: same duplicate_of tree
    flagged: dict[str, tuple[int, int]] = field(default_factory=dict)  # per kind: (pairs with a copy edge, all)

    def lines(self, label: str) -> list[str]:
        counts = ", ".join(f"{status}={count}" for status, count in sorted(self.statuses.items()))
        caught, reposts = self.reposts
        lines = [
            (
                f"{label}: {self.articles} articles over {self.days:.0f} days on {self.partitions} partitions, "
                f"read partition by partition, each in arrival order ({counts})"
            ),
            f"  exact re-posts caught as exact_duplicate: {caught} of {reposts}",
            (
                f"  copy links: pairs precision {self.links.precision:.3f}  recall {self.links.recall:.3f}"
                f"  F1 {self.links.f1:.3f}"
            ),
        ]
        for kind, (flagged, pairs) in self.flagged.items():
            lines.append(f"  {kind} copies flagged as copies (either direction): {flagged} of {pairs}")
        return lines


def bbc_backfill(path: Path, *, limit: int = 0, days: float = 28.0, partitions: int = 3, seed: int = 7,
                 end: datetime | None = None) -> list[Delivery]:  # fmt: skip
    """The BBC articles as a backfill of ``days`` ending a day before ``end``, copies included, in delivery
    order (partition 0's backlog, then 1's...). Each original gets one copy of each kind with probability 1/2."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible stream, not security
    records = list(_gzip_jsonl(path))[: limit or None]
    finish = (end or datetime.now(UTC)) - timedelta(days=1)
    start = finish - timedelta(days=days)
    made: list[Delivery] = []
    groups = _natural_copies([record["body"] for record in records])
    donors = [r["body"].split("\n\n") for r in records if len(r["body"].split("\n\n")) >= 8]
    for number, record in enumerate(records):
        paragraphs = [p for p in record["body"].split("\n\n") if p.strip()]
        group = groups[number]
        published = start + timedelta(seconds=rng.uniform(0, days * 86_400))
        url = f"https://news.example/{record['id']}"
        made.append(_delivery(rng, url, record["title"], record["body"], published, key=record["id"], group=group,
                              kind="original", partitions=partitions))  # fmt: skip
        for kind in KINDS:
            if rng.random() >= 0.5 or (kind != "repost" and len(paragraphs) < 4):
                continue
            later = published + timedelta(minutes=30 if kind == "repost" else rng.uniform(20, 24 * 60))
            title, body, where = (
                record["title"],
                record["body"],
                f"https://mirror{rng.randrange(5)}.example/{kind}/{number}",
            )
            if kind == "repost":
                where = f"{url}?utm_source=feed&utm_medium=rss"
            elif kind == "abridged":
                kept = max(1, round(len(paragraphs) * rng.uniform(0.4, 0.6)))
                body = "\n\n".join(paragraphs[:kept])
            elif kind == "extended":
                other = donors[rng.randrange(len(donors))]  # a quarter of it at most: not a copy of it
                body = "\n\n".join([*paragraphs, *other[-rng.randint(1, 2) :]])
            else:
                title, body = f"{title} - latest", "\n\n".join(paragraphs[:-1]) + _CHROME
            made.append(_delivery(rng, where, title, body, later, key=f"{record['id']}~{kind}", group=group, kind=kind,
                                  partitions=partitions))  # fmt: skip
    made.sort(key=lambda d: (d.partition, d.arrival))
    return made


def _natural_copies(bodies: Sequence[str], *, share: float = 0.8) -> list[str]:
    """Gold copy groups of the set's own articles: the set holds articles published twice, edited or cut
    (``share`` of the shorter one's word trigrams in the longer), as well as byte-identical ones. Counted
    exactly, with plain lower-case words, independently of the dedup stage's sketches."""
    trigrams = []
    for body in bodies:
        words = body.lower().split()
        trigrams.append({hash(tuple(words[i : i + 3])) for i in range(max(0, len(words) - 2))})
    holders: dict[int, list[int]] = {}
    for number, grams in enumerate(trigrams):
        for gram in grams:
            holders.setdefault(gram, []).append(number)
    parent = list(range(len(bodies)))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for number, grams in enumerate(trigrams):
        shared: dict[int, int] = {}
        for gram in grams:
            for other in holders[gram]:
                if other < number:
                    shared[other] = shared.get(other, 0) + 1
        for other, count in shared.items():
            if count >= share * max(1, min(len(grams), len(trigrams[other]))):
                parent[root(number)] = root(other)
    return [f"group-{root(n)}" for n in range(len(bodies))]


def _delivery(rng: random.Random, url: str, title: str, body: str, published: datetime, *, key: str, group: str,
              kind: str, partitions: int) -> Delivery:  # fmt: skip
    fetched = published + timedelta(seconds=rng.uniform(0, 6 * 3600))  # crawl lag: out of time order
    partition = int.from_bytes(hashlib.blake2b(url.encode(), digest_size=4).digest(), "big") % partitions
    raw = RawArticle(url=url, title=title, body=body, published_at=published.isoformat(), fetched_at=fetched)
    return Delivery(partition, raw, key, group, kind, fetched.timestamp())


async def evaluate_backfill(
    deliveries: Sequence[Delivery], normaliser: Normaliser, deduplicator: Deduplicator
) -> BackfillReport:
    """Feed the stream in delivery order, a partition's records in batches as a consumer would see them."""
    kept: list[tuple[Delivery, Article]] = []
    for delivery in deliveries:
        try:
            kept.append((delivery, normaliser(delivery.raw)))
        except InputRejected:
            continue
    partitions = sorted({d.partition for d, _ in kept})
    deduplicator.expect([f"backfill/{p}" for p in partitions])
    decisions: list[DedupInfo] = []
    offsets = dict.fromkeys(partitions, 0)
    for start in range(0, len(kept), _BATCH):
        batch = kept[start : start + _BATCH]
        items = []
        for delivery, article in batch:
            offsets[delivery.partition] += 1
            items.append((f"backfill/{delivery.partition}/{offsets[delivery.partition]}", article))
        decisions.extend(await deduplicator(items))
    return _score([d for d, _ in kept], [a for _, a in kept], decisions, len(partitions))


def _score(deliveries: list[Delivery], articles: list[Article], decisions: list[DedupInfo],
           partitions: int) -> BackfillReport:  # fmt: skip
    parent: dict[str, str] = {}  # article id -> the article it was called a copy of

    def root(article_id: str) -> str:
        seen = {article_id}
        while article_id in parent and parent[article_id] not in seen:
            article_id = parent[article_id]
            seen.add(article_id)
        return min(seen) if article_id in parent else article_id  # a cycle: one name for all of it

    by_key: dict[str, tuple[Delivery, Article, DedupInfo]] = {}
    statuses: dict[str, int] = {status.value: 0 for status in DedupStatus}
    first_seen: dict[str, str] = {}  # article id -> key of its first delivery
    for delivery, article, decision in zip(deliveries, articles, decisions, strict=True):
        statuses[decision.status.value] += 1
        by_key[delivery.key] = (delivery, article, decision)
        first_seen.setdefault(article.article_id, delivery.key)
        if decision.status is not DedupStatus.UNIQUE and decision.duplicate_of not in (None, article.article_id):
            parent.setdefault(article.article_id, decision.duplicate_of)

    def cluster(key: str) -> str:
        """The copy tree an item ended in; a later delivery of the same article judged unique is alone."""
        _, article, decision = by_key[key]
        if decision.status is DedupStatus.UNIQUE and first_seen[article.article_id] != key:
            return key
        return root(article.article_id)

    caught = reposts = 0
    for key, (delivery, _, _) in by_key.items():
        original = by_key.get(key.split("~")[0])
        if delivery.kind == "repost" and original is not None:
            reposts += 1
            second = by_key[key] if first_seen[original[1].article_id] != key else original
            caught += second[2].status is DedupStatus.EXACT_DUPLICATE
    gold_pairs = _pairs((d.group, key) for key, (d, _, _) in by_key.items())
    found_pairs = _pairs((cluster(key), key) for key in by_key)
    links = Score.of(true_positive=len(gold_pairs & found_pairs), predicted=len(found_pairs), actual=len(gold_pairs))

    def linked(original: Article, first: DedupInfo, copy: Article, second: DedupInfo) -> bool:
        """One copy tree, and flagged: at least one of the two is a duplicate (of the other or of a copy)."""
        flagged = first.status is not DedupStatus.UNIQUE or second.status is not DedupStatus.UNIQUE
        return flagged and root(copy.article_id) == root(original.article_id)

    flagged: dict[str, tuple[int, int]] = {}
    for kind in KINDS[1:]:
        pairs = [(by_key[key.split("~")[0]], copy) for key, copy in by_key.items()
                 if copy[0].kind == kind and key.split("~")[0] in by_key]  # fmt: skip
        edge = sum(1 for (_, original, first), (_, copy, second) in pairs if linked(original, first, copy, second))
        flagged[kind] = (edge, len(pairs))
    days = (max(d.arrival for d in deliveries) - min(d.arrival for d in deliveries)) / 86_400 if deliveries else 0.0
    return BackfillReport(len(deliveries), partitions, days, statuses, (caught, reposts), links, flagged)


def _pairs(members: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """Unordered pairs of items that share a cluster."""
    clusters: dict[str, list[str]] = {}
    for cluster, item in members:
        clusters.setdefault(cluster, []).append(item)
    found: set[tuple[str, str]] = set()
    for items in clusters.values():
        found.update((a, b) if a < b else (b, a) for a, b in combinations(sorted(set(items)), 2))
    return found
