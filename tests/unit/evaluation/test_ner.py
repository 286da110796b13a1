"""``eval ner`` on articles we wrote in the CoNLL per-article format: spans and article-level sets scored."""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from pathlib import Path

import orjson
import pytest

from news_ingest.cli import main
from news_ingest.evaluation.ner import NerDoc, conll_docs, evaluate_ner, main_names
from news_ingest.models import EntityType
from news_ingest.tag.entities import Span

TEXT = "Angela Merkel met Siemens bosses in Berlin .\nMerkel left for Paris ."
GOLD = [{"start": 0, "end": 13, "type": "PER", "text": "Angela Merkel"},
        {"start": 18, "end": 25, "type": "ORG", "text": "Siemens"},
        {"start": 36, "end": 42, "type": "LOC", "text": "Berlin"},
        {"start": 45, "end": 51, "type": "PER", "text": "Merkel"},
        {"start": 61, "end": 66, "type": "LOC", "text": "Paris"},
        {"start": 0, "end": 6, "type": "MISC", "text": "Angela"}]  # fmt: skip


class Fixed:
    """An extractor that returns what it was given: the scoring is what is under test."""

    def __init__(self, spans: list[Span]) -> None:
        self._spans = spans

    async def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        return [self._spans for _ in texts]

    def close(self) -> None:
        return None


@pytest.fixture
def conll(tmp_path: Path) -> Path:
    path = tmp_path / "docs.jsonl.gz"
    with gzip.open(path, "wb") as out:
        out.write(orjson.dumps({"doc_index": 0, "n_sentences": 2, "text": TEXT, "entities": GOLD}) + b"\n")
    return path


def test_exact_spans_and_article_level_names_are_scored_per_type(conll: Path) -> None:
    found = [Span(0, 13, EntityType.PERSON, "Angela Merkel"), Span(36, 42, EntityType.LOC, "Berlin"),
             Span(18, 25, EntityType.PERSON, "Siemens"), Span(61, 66, EntityType.LOC, "Paris")]  # fmt: skip
    report = evaluate_ner(list(conll_docs(conll)), Fixed(found))
    assert report.mentions["LOC"].f1 == 1.0
    assert (report.mentions["PER"].precision, report.mentions["PER"].recall) == (0.5, 0.5)  # Siemens is no person
    assert report.mentions["ORG"].recall == 0.0
    assert report.mentions["all"].precision == 0.75  # 3 of 4 right; MISC is not scored
    assert report.articles["PER"].recall == 0.5  # {Angela Merkel, Merkel}: one found
    # Main people and organisations: named in the headline (first line) or twice. Here the first line holds
    # Angela Merkel and Siemens; "Merkel" alone is named once, after it.
    assert (report.main_found, report.main_total) == (1, 2)


def test_main_names_are_those_in_the_headline_or_named_twice() -> None:
    doc = conll_doc(
        "Talks end .\nTony Lester met Ravel Corp .\nRavel Corp said no .\nTony Lester left .",
        [(12, 23, "PER"), (28, 38, "ORG"), (41, 51, "ORG"), (62, 73, "PER"), (0, 5, "ORG")],
    )
    assert main_names(doc) == {("PER", "Tony Lester"), ("ORG", "Ravel Corp"), ("ORG", "Talks")}


def conll_doc(text: str, spans: list[tuple[int, int, str]]) -> NerDoc:
    return NerDoc(text, spans)


def test_eval_ner_command_runs_the_fast_profile(conll: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "ner", str(conll), "--profile", "fast"]) == 0
    out = capsys.readouterr().out
    assert "docs.jsonl.gz (fast profile): 1 articles" in out
    assert "article level (type, name)" in out


def test_a_model_that_is_not_installed_is_a_clear_error_not_a_traceback(
    conll: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWS_INGEST_TAG__NER_MODEL", "no_such_model_installed")
    assert main(["eval", "ner", str(conll), "--profile", "full"]) == 2
    error = capsys.readouterr().err
    assert "needs spaCy and the NER model 'no_such_model_installed'" in error
    assert "NEWS_INGEST_TAG__PROFILE=fast" in error


def test_a_users_plain_jsonl_file_is_read_like_the_gzipped_conll_one(tmp_path: Path) -> None:
    plain = tmp_path / "mine.jsonl"
    plain.write_bytes(orjson.dumps({"text": TEXT, "entities": GOLD}) + b"\n\n")
    (doc,) = conll_docs(plain)
    assert doc.text == TEXT
    assert len(doc.gold) == 5  # MISC left out
