"""At-least-once under crashes, group membership changes and SIGTERM, against the real broker."""

from __future__ import annotations

import asyncio
import random
import signal
import sys

import orjson
import pytest
from prometheus_client import CollectorRegistry

from news_ingest.app import serve
from news_ingest.config import Settings
from tests.integration.conftest import (
    committed,
    crash_before_first_commit,
    produce,
    read_outputs,
    service_env,
    start_group,
)

pytestmark = pytest.mark.integration


def articles(count: int, *, tag: str = "a") -> list[bytes]:
    """Unrelated articles (made-up words), so no dedup or story decision links them whatever the order."""
    rng = random.Random(tag)
    syllables = ("ka", "ro", "mi", "tel", "san", "vo", "ther", "li", "dun", "pa", "gre", "so", "bel", "nu", "ost")
    bodies = [" ".join("".join(rng.choices(syllables, k=4)) for _ in range(12)) for _ in range(count)]
    return [orjson.dumps({"url": f"https://n.example/{tag}/{i}", "body": body}) for i, body in enumerate(bodies)]


async def test_crash_between_publish_and_commit_loses_nothing_and_republishes_identical_bytes(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = await produce(settings, articles(40))
    await crash_before_first_commit(settings, monkeypatch)
    assert set((await committed(settings)).values()) == {0}, "nothing was committed before the crash"

    summary = await serve(settings, until_idle=True, registry=CollectorRegistry())
    outputs = await read_outputs(settings, expected=len(written) + 1)

    by_source = outputs.by_source()
    print(f"injected: crash after first publish; inputs={len(written)} outputs={len(outputs.all)}")
    assert set(by_source) == set(written), "every input offset has an output"
    republished = {where: values for where, values in by_source.items() if len(values) > 1}
    assert republished, "the crashed batch was published twice"
    for where, values in republished.items():
        assert len(set(values)) == 1, f"re-published record for {where} differs"
    assert summary.consumed == len(written)  # the restart re-read exactly what was not committed
    ends = await committed(settings)
    assert sum(ends.values()) == len(written), "the restart committed everything"


async def test_two_instances_split_the_partitions_and_account_for_every_input(settings: Settings) -> None:
    group = await start_group(settings, 2)
    written = await produce(settings, articles(90, tag="split"))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while loop.time() < deadline and group.processed() < len(written):
        await asyncio.sleep(0.2)
    summaries = await group.stop()
    outputs = await read_outputs(settings, expected=len(written))

    consumed = [summary.consumed for summary in summaries]
    print(f"instance consumed counts: {consumed}; outputs={len(outputs.all)}")
    assert all(count > 0 for count in consumed), "both instances took a share"
    assert sum(consumed) == len(written)
    assert set(outputs.by_source()) == set(written)
    assert len(outputs.all) == len(written)


async def test_sigterm_drains_commits_and_logs_a_summary(settings: Settings) -> None:
    env = service_env(settings, NEWS_INGEST_CONSUMER__MAX_BATCH_RECORDS="10", NEWS_INGEST_LOG__LEVEL="info")
    written = await produce(settings, articles(300, tag="term"))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "news_ingest.cli", "run",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    events: list[dict[str, object]] = []
    while not any(e.get("event") == "partitions_assigned" for e in events):
        line = await asyncio.wait_for(process.stderr.readline(), 30)
        if line.startswith(b"{"):
            events.append(orjson.loads(line))
    await asyncio.sleep(0.3)  # mid-stream
    process.send_signal(signal.SIGTERM)
    _, rest = await asyncio.wait_for(process.communicate(), 30)
    events += [orjson.loads(line) for line in rest.splitlines() if line.startswith(b"{")]

    assert process.returncode == 0
    stopped = [e for e in events if e.get("event") == "service_stopped"]
    assert len(stopped) == 1
    assert any(e.get("event") == "signal_received" and e.get("signal") == "SIGTERM" for e in events)
    offsets = await committed(settings)
    outputs = await read_outputs(settings, expected=sum(offsets.values()), timeout_seconds=10)
    published = set(outputs.by_source())
    committed_sources = {(p, o) for p, end in offsets.items() for o in range(end)}
    print(f"produced={len(written)} committed={len(committed_sources)} published={len(published)}")
    assert committed_sources <= published, "nothing is committed that was not published"
    assert stopped[0]["consumed"] == len(published)
