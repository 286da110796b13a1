"""The backfill evaluation: a stream built from articles of the BBC set's format, scored against its truth."""

from __future__ import annotations

import gzip
import random
from datetime import UTC, datetime
from pathlib import Path

import orjson

from news_ingest.config import DedupSettings
from news_ingest.deduplicate.index import Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from news_ingest.deduplicate.stage import Deduplicator
from news_ingest.evaluation.backfill import KINDS, _natural_copies, bbc_backfill, evaluate_backfill
from news_ingest.normalise.stage import Normaliser

WORDS = ("harbour", "council", "river", "budget", "school", "station", "market", "bridge", "festival", "museum",
         "railway", "hospital", "library", "garden", "factory", "airport", "stadium", "theatre", "village")  # fmt: skip


def article(number: int) -> dict[str, str]:
    rng = random.Random(number)
    paragraphs = [" ".join(f"{rng.choice(WORDS)}{rng.randrange(500)}" for _ in range(35)) + "." for _ in range(9)]
    return {"id": f"local-{number:03}", "title": f"Local story {number}", "body": "\n\n".join(paragraphs)}


def write(path: Path, records: list[dict[str, str]]) -> Path:
    with gzip.open(path, "wb") as out:
        for record in records:
            out.write(orjson.dumps(record) + b"\n")
    return path


def test_articles_published_twice_share_a_gold_group() -> None:
    first, second, other = article(1)["body"], article(2)["body"], article(3)["body"]
    cut = "\n\n".join(first.split("\n\n")[:8])  # the same article with its last paragraph cut
    groups = _natural_copies([first, second, cut, other])
    assert groups[0] == groups[2]
    assert len({groups[0], groups[1], groups[3]}) == 3


async def test_a_backfill_of_written_articles_is_scored_copy_by_copy(tmp_path: Path, normaliser: Normaliser) -> None:
    source = write(tmp_path / "articles.jsonl.gz", [article(n) for n in range(40)])
    stream = bbc_backfill(source, days=10, partitions=3, end=datetime(2026, 11, 1, tzinfo=UTC))
    assert [d.partition for d in stream] == sorted(d.partition for d in stream)  # partition after partition
    assert {d.kind for d in stream} == {"original", *KINDS}
    settings = DedupSettings()
    deduplicator = Deduplicator(index=InMemoryDedupIndex(Thresholds.from_settings(settings)), settings=settings)
    report = await evaluate_backfill(stream, normaliser, deduplicator)
    caught, reposts = report.reposts
    assert reposts == sum(1 for d in stream if d.kind == "repost")
    assert caught == reposts
    for kind in KINDS[1:]:
        flagged, pairs = report.flagged[kind]
        assert pairs == sum(1 for d in stream if d.kind == kind)
        assert flagged == pairs, kind
    assert report.links.precision == 1.0
    assert report.links.recall == 1.0
    assert report.articles == len(stream)
