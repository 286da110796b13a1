"""The synthetic stream: deterministic, any size, and decided by the pipeline as its truth says."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from news_ingest.cli import main
from news_ingest.evaluation.synthetic import generate
from news_ingest.normalise.stage import Normaliser
from news_ingest.records import Duplicate, Enriched, Rejected, SourceRecord
from tests.conftest import make_pipeline


def test_the_same_seed_gives_the_same_stream_and_another_seed_another() -> None:
    first = [value for value, _ in generate(300, seed=3)]
    assert first == [value for value, _ in generate(300, seed=3)]
    assert first != [value for value, _ in generate(300, seed=4)]
    assert len(first) == 300


def test_the_stream_holds_every_kind_of_event() -> None:
    kinds = Counter(truth.kind for _, truth in generate(2_000))
    assert set(kinds) == {"original", "near", "exact", "writeup", "foreign", "malformed"}
    assert kinds["original"] > kinds["near"] > kinds["malformed"]


async def test_the_pipeline_decides_each_event_as_its_truth_says(normaliser: Normaliser) -> None:
    events = list(generate(400, seed=11))
    records = [SourceRecord(topic="raw", partition=0, offset=n, key=None, value=value)
               for n, (value, _) in enumerate(events)]  # fmt: skip
    handled = await make_pipeline(normaliser).handle_batch(records)
    outcome = {n: result for n, (result, _) in enumerate(handled)}
    for n, (_, truth) in enumerate(events):
        result = outcome[n]
        if truth.kind == "malformed":
            assert isinstance(result, Rejected), n
        elif truth.kind == "exact":
            assert isinstance(result, Duplicate), n
            assert result.article.dedup.duplicate_of == outcome[truth.copies].article.article_id  # type: ignore[index,union-attr]
        elif truth.kind == "near":
            assert isinstance(result, Enriched), n
            assert result.article.dedup.status.value == "near_duplicate", n
        elif truth.kind == "original":
            assert isinstance(result, Enriched), n
            assert [c.code for c in result.article.regions.countries][:1] == list(truth.countries), n


def test_generate_command_writes_values_and_truth(tmp_path: Path) -> None:
    assert main(["generate", "--count", "50", "--out", str(tmp_path / "raw.jsonl"),
                 "--truth", str(tmp_path / "truth.jsonl")]) == 0  # fmt: skip
    assert len((tmp_path / "raw.jsonl").read_bytes().splitlines()) == 50
    assert len((tmp_path / "truth.jsonl").read_bytes().splitlines()) == 50
