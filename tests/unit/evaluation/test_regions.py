"""``eval regions`` on wire stories we wrote in Reuters-21578's format: gold codes mapped, scores counted."""

from __future__ import annotations

import gzip
from pathlib import Path

import orjson
import pytest

from news_ingest.app import shared_gazetteer
from news_ingest.cli import main
from news_ingest.evaluation.regions import evaluate_regions, reuters_docs
from news_ingest.normalise.stage import Normaliser
from tests.conftest import region_tagger

STORIES = [
    {"newid": 1, "lewissplit": "TEST", "dateline": "TOKYO, March 3 -", "places": ["japan", "usa"],
     "title": "JAPAN TRADE SURPLUS WIDENS", "body": "Japan's trade surplus with the United States widened in "
     "February, the finance ministry said, as exports of cars rose."},
    {"newid": 2, "lewissplit": "TEST", "dateline": "BONN, March 3 -", "places": ["west-germany"],
     "title": "BUNDESBANK HOLDS RATES", "body": "The Bundesbank left its discount rate unchanged, a central bank "
     "spokesman said, citing stable prices in Frankfurt and Hamburg."},
    {"newid": 3, "lewissplit": "TRAIN", "dateline": "LAGOS, March 4 -", "places": ["nigeria"],
     "title": "NIGERIA OIL OUTPUT", "body": "Nigeria pumped more crude oil in February, officials said."},
    {"newid": 4, "lewissplit": "TEST", "places": [], "title": "NO PLACE", "body": "Shares closed higher."},
]  # fmt: skip


@pytest.fixture
def reuters(tmp_path: Path) -> Path:
    path = tmp_path / "reuters.jsonl.gz"
    with gzip.open(path, "wb") as out:
        out.write(b"".join(orjson.dumps(story) + b"\n" for story in STORIES))
    return path


def test_held_out_split_is_scored_against_gold_codes_mapped_to_iso(reuters: Path, normaliser: Normaliser) -> None:
    report = evaluate_regions(reuters_docs(reuters, split="test"), normaliser, region_tagger(), shared_gazetteer())
    assert report.articles == 2  # the TRAIN story and the one with no place are not scored
    assert report.all_tags.recall == 1.0  # JP and US in the first, DE (west-germany) in the second
    assert report.all_tags.precision == 1.0
    assert report.primary_in_gold == 1.0  # the datelines: Tokyo and Bonn
    assert report.main_tags.recall == pytest.approx(2 / 3)  # the US is mentioned once, not what story 1 is about


def test_eval_regions_command_prints_the_scores(reuters: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "regions", str(reuters), "--split", "all"]) == 0
    out = capsys.readouterr().out
    assert "Reuters-21578 (all split), fast profile: 3 articles" in out
    assert "main countries (salience >= 0.5): precision" in out


def test_users_own_labelled_articles_are_scored_with_iso_codes_or_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own = tmp_path / "mine.jsonl"
    kenya = {
        "title": "Kenya rains",
        "body": "Farmers in Kenya expect a big harvest, Nairobi said.",
        "countries": ["KE"],
    }
    andes = {"body": "Peru and Chile signed a fishing accord in Lima on Monday.", "countries": ["Peru", "Chile"]}
    rows = [kenya, andes]
    own.write_bytes(b"".join(orjson.dumps(row) + b"\n" for row in rows))
    assert main(["eval", "regions", str(own), "--jsonl"]) == 0
    out = capsys.readouterr().out
    assert f"{own}, fast profile: 2 articles" in out
    assert "all countries tagged: precision 1.000  recall 1.000  F1 1.000" in out
