"""The offline ``process`` command and the demo stream."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from news_ingest.cli import describe, main
from news_ingest.codec import decode_enriched, decode_rejected
from news_ingest.config import TopicSettings
from news_ingest.demo import MALFORMED, demo_events
from news_ingest.records import SourceRecord
from tests.hostile_cases import CASES

TOPICS = TopicSettings()


def test_demo_stream_has_at_least_fifty_events_with_malformed_ones() -> None:
    events = demo_events()
    assert len(events) >= 50
    assert all(bad in events for bad in MALFORMED)
    assert demo_events() == events  # deterministic


def test_process_writes_one_jsonl_per_output_topic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "in.jsonl"
    assert main(["demo", "--out", str(source)]) == 0
    assert main(["process", str(source), "--out", str(tmp_path / "out")]) == 0
    enriched = (tmp_path / "out" / f"{TOPICS.enriched}.jsonl").read_bytes().splitlines()
    rejected = (tmp_path / "out" / f"{TOPICS.rejected}.jsonl").read_bytes().splitlines()
    duplicates = (tmp_path / "out" / f"{TOPICS.duplicates}.jsonl").read_bytes().splitlines()
    assert len(enriched) + len(rejected) + len(duplicates) == len(demo_events())
    assert len(rejected) == len(MALFORMED)
    offsets = [decode_enriched(line).provenance.offset for line in enriched + duplicates]
    offsets += [decode_rejected(line).source.offset for line in rejected]
    assert sorted(offsets) == list(range(len(demo_events())))
    assert "processed 52 lines" in capsys.readouterr().out


def test_process_is_byte_identical_across_runs(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    main(["demo", "--out", str(source)])
    main(["process", str(source), "--out", str(tmp_path / "a")])
    main(["process", str(source), "--out", str(tmp_path / "b")])
    for topic in (TOPICS.enriched, TOPICS.rejected):
        assert (tmp_path / "a" / f"{topic}.jsonl").read_bytes() == (tmp_path / "b" / f"{topic}.jsonl").read_bytes()


def test_tail_describes_enriched_and_rejected_records(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    main(["demo", "--out", str(source)])
    main(["process", str(source), "--out", str(tmp_path)])
    first = (tmp_path / f"{TOPICS.enriched}.jsonl").read_bytes().splitlines()[0]
    bad = (tmp_path / f"{TOPICS.rejected}.jsonl").read_bytes().splitlines()[0]
    line = describe(SourceRecord(topic=TOPICS.enriched, partition=0, offset=0, key=None, value=first))
    assert "unique" in line
    assert orjson.loads(first)["title"] in line
    line = describe(SourceRecord(topic=TOPICS.rejected, partition=1, offset=5, key=None, value=bad))
    assert line.startswith(f"{TOPICS.rejected}[1]@5 REJECTED invalid_json at decode")


def test_replay_without_a_cluster_says_how_to_configure_one(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "x.jsonl").write_text("{}\n")
    assert main(["replay", str(tmp_path / "x.jsonl")]) == 2
    assert "NEWS_INGEST_KAFKA__BOOTSTRAP_SERVERS" in capsys.readouterr().err


def test_invalid_settings_name_the_field_and_never_print_a_secret(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWS_INGEST_KAFKA__SECURITY_PROTOCOL", "SASL_SSL")
    monkeypatch.setenv("NEWS_INGEST_KAFKA__SASL_MECHANISM", "PLAIN")
    monkeypatch.setenv("NEWS_INGEST_KAFKA__SASL_USERNAME", "ingest")
    monkeypatch.setenv("NEWS_INGEST_KAFKA__SASL_PASSWORD", "hunter2-sasl-secret")
    monkeypatch.setenv("NEWS_INGEST_KAFKA__SSL_CERTFILE", "/etc/client.pem")  # mutual TLS without a key: invalid
    monkeypatch.setenv("NEWS_INGEST_KAFKA__SSL_KEY_PASSWORD", "hunter3-key-secret")
    assert main(["config"]) == 2
    printed = capsys.readouterr()
    assert printed.err == (
        "news-ingest: error: invalid settings: NEWS_INGEST_KAFKA__*: ssl_certfile (mutual TLS) needs ssl_keyfile\n"
    )
    assert "hunter" not in printed.err + printed.out


def test_process_writes_one_output_for_every_hostile_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``process`` exited 1 and wrote nothing on the first record a stage crashed on; now each line of the
    hostile cases (their values: a file has no keys) gets its output."""
    lines = [case.value for case in CASES if case.key is None]
    (tmp_path / "in.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    assert main(["process", str(tmp_path / "in.jsonl"), "--out", str(tmp_path / "out")]) == 0
    written = [line for topic in (TOPICS.enriched, TOPICS.duplicates, TOPICS.rejected)
               for line in (tmp_path / "out" / f"{topic}.jsonl").read_bytes().splitlines()]  # fmt: skip
    assert len(written) == len(lines)
    assert f"processed {len(lines)} lines" in capsys.readouterr().out
