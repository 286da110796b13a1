"""What an operator sees around the pipeline, on the real broker: replicas on private indexes reported, tail
that ends, a port in use said in one line, progress while a backlog drains."""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

import orjson
import pytest

from news_ingest.cli import main
from news_ingest.config import Settings
from news_ingest.health import Check
from tests.integration.conftest import produce, service_env, start_group
from tests.integration.test_delivery import articles

pytestmark = pytest.mark.integration


async def test_two_replicas_on_in_memory_indexes_are_reported_not_ready(settings: Settings) -> None:
    group = await start_group(settings, 2)
    try:
        reports = [running.readiness.report() for running in group.started]
        print(f"readiness of two replicas without a shared index: {reports}")
        assert all(report[Check.PARTITIONS_ASSIGNED.value] for report in reports)
        assert not any(report[Check.INDEX_COVERS_GROUP.value] for report in reports)
        assert not any(running.readiness.ready for running in group.started)
    finally:
        await group.stop()


def use(monkeypatch: pytest.MonkeyPatch, settings: Settings, **extra: str) -> None:
    for name, value in service_env(settings, **extra).items():
        if name.startswith("NEWS_INGEST_"):
            monkeypatch.setenv(name, value)


async def test_tail_stops_at_the_end_prints_json_and_names_a_missing_topic(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    values = articles(6, tag="tail")
    await produce(settings, values)
    use(monkeypatch, settings)
    raw = ["--topic", settings.topics.raw]
    done = await asyncio.to_thread(main, ["tail", *raw, "--from-beginning", "--max", "8", "--until-idle"])
    printed = capsys.readouterr()
    assert done == 0
    assert len(printed.out.splitlines()) == 6  # six records on the topic, --max 8: ends, does not wait for two more
    assert printed.err.strip().endswith(f"6 records on {settings.topics.raw}")
    assert await asyncio.to_thread(main, ["tail", *raw, "--from-beginning", "--until-idle", "--json"]) == 0
    assert sorted(capsys.readouterr().out.encode().splitlines()) == sorted(values)
    assert await asyncio.to_thread(main, ["tail", "--topic", "no.such.topic.v1", "--until-idle"]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"news-ingest: error: topic no.such.topic.v1 does not exist on {settings.kafka.bootstrap_servers}"
    )


async def test_the_metrics_port_in_use_is_one_line(settings: Settings) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = service_env(settings, NEWS_INGEST_HTTP__PORT=str(port), NEWS_INGEST_TAG__PROFILE="fast")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "news_ingest.cli", "run", "--until-idle", env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, errors = await asyncio.wait_for(process.communicate(), 60)
    lines = errors.decode().strip().splitlines()
    assert process.returncode == 1
    assert lines[-1] == (
        f"news-ingest: error: the metrics port 127.0.0.1:{port} is in use (another news-ingest running?): set "
        "NEWS_INGEST_HTTP__PORT to a free port, or 0 to pick one"
    )
    assert all(line.startswith("{") for line in lines[:-1]), "everything else is a JSON log line"
    assert "Traceback" not in errors.decode()


async def test_the_service_logs_progress_while_it_drains_a_backlog(settings: Settings, tmp_path: Path) -> None:
    await produce(settings, articles(400, tag="progress"))
    env = service_env(settings, NEWS_INGEST_LOG__LEVEL="info", NEWS_INGEST_TAG__PROFILE="fast",
                      NEWS_INGEST_RUNTIME__PROGRESS_INTERVAL_SECONDS="0.1",
                      NEWS_INGEST_CONSUMER__MAX_BATCH_RECORDS="20")  # fmt: skip
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "news_ingest.cli", "run", "--until-idle", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, errors = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, errors.decode()[-2_000:]
    events = [orjson.loads(line) for line in errors.splitlines() if line.startswith(b"{")]
    progress = [event for event in events if event["event"] == "progress"]
    print(f"progress lines while draining 400 records: {len(progress)}; last: {progress[-1] if progress else None}")
    assert progress, "no progress line"
    assert {"processed", "per_second", "lag", "enriched"} <= set(progress[-1])
    assert progress[-1]["processed"] <= 400
