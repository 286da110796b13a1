"""/livez, /readyz and /metrics over a real loopback socket."""

from __future__ import annotations

import asyncio

import orjson
import pytest
import structlog
from prometheus_client import CollectorRegistry

from news_ingest.health import Check, HealthServer, Liveness, Readiness
from news_ingest.metrics import Metrics


async def get(url: str, path: str) -> tuple[int, bytes]:
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    await writer.drain()
    response = await reader.read()
    writer.close()
    head, _, body = response.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


async def test_readiness_follows_every_check() -> None:
    metrics = Metrics(CollectorRegistry())
    readiness = Readiness(metrics)
    async with HealthServer(host="127.0.0.1", port=0, metrics=metrics, readiness=readiness, liveness=Liveness()) as s:
        status, body = await get(s.url, "/readyz")
        assert status == 503
        assert orjson.loads(body)["checks"]["partitions_assigned"] is False
        for check in Check:
            readiness.set(check, True)
        status, body = await get(s.url, "/readyz")
        assert status == 200
        assert orjson.loads(body)["ready"] is True
        assert metrics.registry.get_sample_value("news_ingest_ready") == 1
        readiness.set(Check.BROKER_REACHABLE, False)
        status, _ = await get(s.url, "/readyz")
        assert status == 503
        assert metrics.registry.get_sample_value("news_ingest_ready") == 0


async def test_livez_metrics_and_unknown_paths() -> None:
    metrics = Metrics(CollectorRegistry())
    async with HealthServer(
        host="127.0.0.1", port=0, metrics=metrics, readiness=Readiness(metrics), liveness=Liveness()
    ) as server:
        assert await get(server.url, "/livez") == (200, b'{"alive":true}')
        status, body = await get(server.url, "/metrics")
        assert status == 200
        assert b"news_ingest_build_info" in body
        assert (await get(server.url, "/nope"))[0] == 404


async def test_a_stalled_loop_is_not_alive() -> None:
    liveness = Liveness(max_stall_seconds=0.05)
    assert liveness.alive
    await asyncio.sleep(0.1)
    assert not liveness.alive


async def test_a_request_line_past_the_stream_limit_gets_414_and_one_structured_log_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    metrics = Metrics(CollectorRegistry())
    with structlog.testing.capture_logs() as logged:
        async with HealthServer(
            host="127.0.0.1", port=0, metrics=metrics, readiness=Readiness(metrics), liveness=Liveness()
        ) as server:
            status, _ = await get(server.url, "/" + "x" * 70_000)
            assert status == 414
            assert await get(server.url, "/livez") == (200, b'{"alive":true}'), "the server keeps serving"
    assert {"event": "http_request_refused", "why": "request line too long", "log_level": "warning"} in logged
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
