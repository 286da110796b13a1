"""``eval layouts``: a user's own articles in every layout, the invariant share printed per layout."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from news_ingest.cli import main
from news_ingest.evaluation.layouts import Record, jsonl_stories
from news_ingest.evaluation.renderings import LAYOUTS

ARTICLES = [
    {
        "id": "ferry",
        "title": "Ferry strike ends after pay talks",
        "body": "OSLO (Reuters) - Ferry workers in western Norway ended a week-long strike on Monday after reaching a "
        "pay deal with operators, their union said.\n\nServices between Bergen and the outer islands would resume on "
        "Tuesday morning, the operators said in a statement.",
    },
    {
        "id": "bridge",
        "title": "Council approves plans for a new river bridge",
        "body": "The city council approved plans for a new bridge over the river on Wednesday, ending a decade of "
        "argument over where it should go.\n\nConstruction is expected to start next spring and to take two years.",
    },
]


def write(path: Path) -> None:
    path.write_bytes(b"".join(orjson.dumps(article) + b"\n" for article in ARTICLES))


def test_jsonl_stories_read_blank_line_paragraphs(tmp_path: Path) -> None:
    write(tmp_path / "mine.jsonl")
    stories = list(jsonl_stories(tmp_path / "mine.jsonl"))
    assert [story.id for story in stories] == ["ferry", "bridge"]
    assert len(stories[0].paragraphs) == 2
    assert stories[0].paragraphs[0].startswith("OSLO (Reuters) - Ferry workers")


def test_eval_layouts_prints_the_share_per_layout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "mine.jsonl")
    assert main(["eval", "layouts", "--jsonl", str(tmp_path / "mine.jsonl"), "--profile", "fast"]) == 0
    printed = capsys.readouterr().out
    assert "2 stories" in printed
    for name in LAYOUTS:
        if name != "blank-lines":
            assert f"  {name:<14} {2:>10} {2:>6} {1.0:>7.3f}" in printed  # both articles the same in this layout


def test_the_first_difference_is_named_by_field() -> None:
    same = Record(rejected=None, paragraphs=("One.", "Two."), related=("A headline",))
    other = Record(rejected=None, paragraphs=("One. Two.",), related=("A headline",))
    assert same.first_difference(same) is None
    assert other.first_difference(same) == ("paragraphs", ("One. Two.",), ("One.", "Two."))
