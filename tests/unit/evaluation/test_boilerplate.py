"""The boilerplate evaluation, on pages we wrote and, when ../shared/data is present, on the real sets."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from news_ingest.cli import main
from news_ingest.evaluation.boilerplate import article_extraction_pages, evaluate_boilerplate, jsonl_pages, l3s_pages
from news_ingest.normalise.stage import Normaliser

DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
PROSE = "The council voted on Tuesday to rebuild the old bridge over the river by next spring."


def write_pages(path: Path) -> None:
    pages = [
        {"id": "clean", "body": f"<p>{PROSE}</p><footer>Contact us</footer>", "gold": PROSE},
        {
            "id": "teaser",
            "body": f"<p>{PROSE}</p><p>Storm hits coastOSLO, Norway - A storm hit the coast... Read more \u00bb</p>",
            "gold": PROSE,
            "related": "Storm hits coast A storm hit the coast",
        },
        {"id": "empty", "body": "<nav>Home</nav>", "gold": PROSE},
    ]
    path.write_bytes(b"".join(orjson.dumps(page) + b"\n" for page in pages))


def test_scores_cleaned_bodies_against_gold(tmp_path: Path, normaliser: Normaliser) -> None:
    write_pages(tmp_path / "pages.jsonl")
    report = evaluate_boilerplate(jsonl_pages(tmp_path / "pages.jsonl"), normaliser)
    assert report.pages == 3
    assert report.rejected_empty == 1
    assert report.score.precision == pytest.approx(2 / 3)  # the empty page scores 0, the two clean ones 1
    assert report.score.recall == pytest.approx(2 / 3)
    # The leak is counted in words: of the teaser's 8 words only "the" is also in the kept body.
    assert report.related_leak == pytest.approx(1 / 8)


def test_eval_command_prints_precision_and_recall(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_pages(tmp_path / "pages.jsonl")
    assert main(["eval", "boilerplate", "--jsonl", str(tmp_path / "pages.jsonl")]) == 0
    printed = capsys.readouterr().out
    assert "3 pages (1 came out empty)" in printed
    assert "token precision 0.667  recall 0.667" in printed


@pytest.mark.data
@pytest.mark.skipif(not (DATA / "article-extraction-benchmark").is_dir(), reason="../shared/data is absent")
def test_article_extraction_benchmark_loads_every_page() -> None:
    pages = list(article_extraction_pages(DATA / "article-extraction-benchmark"))
    assert len(pages) == 181
    assert all(page.gold and page.body.lstrip().startswith("<") for page in pages)


@pytest.mark.data
@pytest.mark.skipif(not (DATA / "html-boilerplate-benchmarks").is_dir(), reason="../shared/data is absent")
def test_l3s_pages_carry_gold_and_related_labels() -> None:
    pages = list(l3s_pages(DATA / "html-boilerplate-benchmarks" / "hc_page-signal-master.tar.gz"))
    assert len(pages) == 621
    assert all(page.gold for page in pages)
    assert sum(1 for page in pages if page.related) >= 80  # PROVENANCE: related content used in 90 pages
