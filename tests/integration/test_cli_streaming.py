"""The streaming commands a user types: replay a file, drain it with run --until-idle, read it back with tail."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from news_ingest.broker import EmbeddedBroker
from news_ingest.cli import main
from news_ingest.demo import MALFORMED, demo_events

pytestmark = pytest.mark.integration


def test_replay_run_until_idle_and_tail(
    broker: EmbeddedBroker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    suffix = uuid.uuid4().hex[:10]
    monkeypatch.setenv("NEWS_INGEST_KAFKA__BOOTSTRAP_SERVERS", broker.bootstrap_servers)
    for name in ("raw", "enriched", "duplicates", "rejected"):
        monkeypatch.setenv(f"NEWS_INGEST_TOPICS__{name.upper()}", f"cli.{suffix}.{name}.v1")
    monkeypatch.setenv("NEWS_INGEST_TOPICS__CREATE", "true")
    monkeypatch.setenv("NEWS_INGEST_CONSUMER__GROUP_ID", f"cli-{suffix}")
    monkeypatch.setenv("NEWS_INGEST_HTTP__PORT", "0")
    stream = tmp_path / "demo.jsonl"

    assert main(["demo", "--out", str(stream)]) == 0
    assert main(["replay", str(stream), "--rate", "1000"]) == 0
    assert f"replayed {len(demo_events())} events" in capsys.readouterr().out
    assert main(["run", "--until-idle"]) == 0
    assert f"consumed={len(demo_events())}" in capsys.readouterr().out

    assert main(["process", str(stream), "--out", str(tmp_path / "offline")]) == 0  # the same pipeline, no Kafka
    capsys.readouterr()
    offline = (tmp_path / "offline" / f"cli.{suffix}.enriched.v1.jsonl").read_bytes().splitlines()
    assert main(["tail", "--from-beginning", "--max", str(len(offline))]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(offline)
    assert all(f"cli.{suffix}.enriched.v1[" in line for line in lines)
    assert sum(" unique " in line for line in lines) == sum(b'"status":"unique"' in value for value in offline)
    assert main(["tail", "--topic", f"cli.{suffix}.rejected.v1", "--from-beginning", "--max", "6"]) == 0
    rejected = capsys.readouterr().out.splitlines()
    assert len(rejected) == len(MALFORMED)
    assert all(" REJECTED " in line for line in rejected)
