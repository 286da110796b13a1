"""``eval dedup`` on stories we wrote, and on the real sets when ../shared/data is present."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from news_ingest.cli import main
from news_ingest.config import DedupSettings
from news_ingest.demo import STORIES
from news_ingest.evaluation.dedup import (
    bbc_syndication,
    ecbplus_docs,
    evaluate_dedup,
    evaluate_orders,
    jsonl_docs,
    uci_headlines,
)
from news_ingest.normalise.stage import Normaliser

DATA = Path(__file__).resolve().parents[4] / "shared" / "data"


def write_docs(path: Path) -> None:
    docs = []
    for story in STORIES[:4]:
        body = "\n\n".join(story.paragraphs)
        docs.append({"id": f"{story.slug}-1", "title": story.title, "body": body, "cluster": story.slug})
        docs.append({"id": f"{story.slug}-2", "title": story.title, "body": body + " Updated.", "cluster": story.slug})
    path.write_bytes(b"".join(orjson.dumps(doc) + b"\n" for doc in docs))


async def test_copies_of_each_story_land_in_its_cluster(tmp_path: Path, normaliser: Normaliser) -> None:
    write_docs(tmp_path / "docs.jsonl")
    report = await evaluate_dedup(jsonl_docs(tmp_path / "docs.jsonl"), normaliser, DedupSettings())
    assert report.documents == 8
    assert report.statuses["unique"] == 4
    assert report.stories.pairs.f1 == 1.0
    assert report.stories.adjusted_rand_index == pytest.approx(1.0)
    assert report.copies.pairs.f1 == 1.0


def test_eval_dedup_command_prints_pair_and_cluster_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_docs(tmp_path / "docs.jsonl")
    assert main(["eval", "dedup", "--jsonl", str(tmp_path / "docs.jsonl")]) == 0
    printed = capsys.readouterr().out
    assert "8 articles" in printed
    assert "story clusters: pairs precision 1.000  recall 1.000  F1 1.000  ARI 1.000  purity 1.000" in printed
    assert "copy clusters: pairs precision 1.000  recall 1.000  F1 1.000  ARI 1.000  purity 1.000" in printed


async def test_every_stream_order_is_scored(tmp_path: Path, normaliser: Normaliser) -> None:
    write_docs(tmp_path / "docs.jsonl")
    report = await evaluate_orders(jsonl_docs(tmp_path / "docs.jsonl"), normaliser, DedupSettings(), orders=3)
    assert report.orders == 3
    assert report.f1 == [1.0, 1.0, 1.0]  # four stories apart from each other: no order can merge them
    assert report.recall == [1.0, 1.0, 1.0]


def test_eval_dedup_orders_prints_the_spread(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_docs(tmp_path / "docs.jsonl")
    assert main(["eval", "dedup", "--jsonl", str(tmp_path / "docs.jsonl"), "--orders", "2"]) == 0
    printed = capsys.readouterr().out
    assert "story clusters over 2 orders (the file's, then shuffles with seeds 1..1):" in printed
    assert "pairs F1 mean 1.000 (min 1.000, max 1.000)" in printed
    assert main(["eval", "dedup", "--jsonl", str(tmp_path / "docs.jsonl"), "--orders", "0"]) == 2
    assert "--orders takes a count of 1 or more" in capsys.readouterr().err


@pytest.mark.data
@pytest.mark.skipif(not (DATA / "bbc-news").is_dir(), reason="../shared/data is absent")
def test_bbc_syndication_adds_four_labelled_copies_per_article() -> None:
    docs = bbc_syndication(DATA / "bbc-news" / "articles.jsonl.gz", limit=50)
    assert len(docs) == 250
    originals = {doc.id: doc.cluster for doc in docs[:50]}
    assert all(originals[doc.id.split("~")[0]] == doc.cluster for doc in docs[50:])


@pytest.mark.data
@pytest.mark.skipif(not (DATA / "ecbplus-clusters").is_dir(), reason="../shared/data is absent")
def test_ecbplus_loads_its_86_clusters() -> None:
    docs = ecbplus_docs(DATA / "ecbplus-clusters" / "ecbplus_docs.jsonl.gz")
    assert len(docs) == 982
    assert len({doc.cluster for doc in docs}) == 86


@pytest.mark.data
@pytest.mark.skipif(not (DATA / "uci-news-aggregator-head-sample").is_dir(), reason="../shared/data is absent")
def test_uci_headlines_load_in_time_order_with_their_87_stories() -> None:
    docs = uci_headlines(DATA / "uci-news-aggregator-head-sample" / "uci_news_aggregator_first6366.csv.gz")
    assert len(docs) == 6366
    assert len({doc.cluster for doc in docs}) == 87
    times = [doc.published_at or "" for doc in docs]
    assert times == sorted(times)


@pytest.mark.data
@pytest.mark.skipif(not (DATA / "ecbplus-clusters").is_dir(), reason="../shared/data is absent")
def test_ecbplus_halves_split_the_topics() -> None:
    path = DATA / "ecbplus-clusters" / "ecbplus_docs.jsonl.gz"
    odd, even = ecbplus_docs(path, topics="odd"), ecbplus_docs(path, topics="even")
    assert len(odd) + len(even) == 982
    assert not {doc.cluster for doc in odd} & {doc.cluster for doc in even}
