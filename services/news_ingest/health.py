"""Liveness, readiness and the HTTP endpoint that serves them with ``/metrics``."""

from __future__ import annotations

import asyncio
import contextlib
import time
from enum import StrEnum
from types import TracebackType

import orjson
import structlog
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from news_ingest.metrics import Metrics

log = structlog.get_logger(__name__)
_REQUEST_TIMEOUT_SECONDS = 5.0
_MAX_REQUEST_LINE_BYTES = 8_192


class Check(StrEnum):
    """What must hold for the service to be ready."""

    PARTITIONS_ASSIGNED = "partitions_assigned"
    PRODUCER_STARTED = "producer_started"
    BROKER_REACHABLE = "broker_reachable"
    OUTPUTS_FLOWING = "outputs_flowing"
    DEDUP_INDEX_REACHABLE = "dedup_index_reachable"
    INDEX_COVERS_GROUP = "dedup_index_covers_group"  # an in-memory index sees every partition of the input


class Readiness:
    """Named checks; ready only while every one passes. Mirrors the state into ``news_ingest_ready``."""

    def __init__(self, metrics: Metrics, *, checks: tuple[Check, ...] = tuple(Check)) -> None:
        self._metrics = metrics
        self._state = dict.fromkeys(checks, False)
        self._metrics.ready.set(0)

    def set(self, check: Check, ok: bool) -> None:
        if check not in self._state or self._state[check] == ok:
            return
        self._state[check] = ok
        log.info("readiness_changed", check=check.value, ok=ok, ready=self.ready)
        self._metrics.ready.set(1 if self.ready else 0)

    @property
    def ready(self) -> bool:
        return all(self._state.values())

    def report(self) -> dict[str, bool]:
        return {check.value: ok for check, ok in self._state.items()}


class Liveness:
    """The event loop is alive if a heartbeat task keeps ticking."""

    def __init__(self, *, max_stall_seconds: float = 30.0) -> None:
        self._last = time.monotonic()
        self._max_stall = max_stall_seconds

    def beat(self) -> None:
        self._last = time.monotonic()

    @property
    def alive(self) -> bool:
        return time.monotonic() - self._last < self._max_stall

    async def run(self, *, interval_seconds: float = 1.0) -> None:
        while True:
            self.beat()
            await asyncio.sleep(interval_seconds)


class HealthServer:
    """A minimal HTTP/1.1 server for ``/metrics``, ``/livez`` and ``/readyz``; nothing else is served."""

    def __init__(self, *, host: str, port: int, metrics: Metrics, readiness: Readiness, liveness: Liveness) -> None:
        self._host, self._port = host, port
        self._metrics, self._readiness, self._liveness = metrics, readiness, liveness
        self._server: asyncio.Server | None = None
        self._heartbeat: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("health server is not started")
        host, port = self._server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}"

    async def __aenter__(self) -> HealthServer:
        self._server = await asyncio.start_server(self._handle, self._host, self._port)
        self._heartbeat = asyncio.create_task(self._liveness.run(), name="liveness-heartbeat")
        log.info("http_started", url=self.url, endpoints=["/metrics", "/livez", "/readyz"])
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            try:
                async with asyncio.timeout(_REQUEST_TIMEOUT_SECONDS):
                    line = await reader.readline()
            except ValueError:  # the request line ran past the stream's 64 KiB limit
                log.warning("http_request_refused", why="request line too long")
                response = ("414 URI Too Long", "text/plain", b"request line too long\n")
            else:
                response = self._route(line[:_MAX_REQUEST_LINE_BYTES])
            status, content_type, body = response
            head = (
                f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode("latin-1") + body)
            await writer.drain()
        except (TimeoutError, ConnectionError):
            pass  # a client that hangs or hangs up gets nothing; the server keeps serving
        except Exception as error:  # noqa: BLE001 - one request's failure is logged, the server keeps serving
            log.error("http_request_failed", error_type=type(error).__name__, error=str(error)[:200])  # noqa: TRY400 - one line, no traceback
        finally:
            writer.close()

    def _route(self, request_line: bytes) -> tuple[str, str, bytes]:
        parts = request_line.decode("latin-1").split()
        path = parts[1].split("?", 1)[0] if len(parts) >= 2 else ""
        if parts[:1] != ["GET"]:
            return "405 Method Not Allowed", "text/plain", b"GET only\n"
        if path == "/metrics":
            return "200 OK", CONTENT_TYPE_LATEST, generate_latest(self._metrics.registry)
        if path == "/livez":
            alive = self._liveness.alive
            return (
                ("200 OK" if alive else "503 Service Unavailable"),
                "application/json",
                orjson.dumps({"alive": alive}),
            )
        if path == "/readyz":
            ready = self._readiness.ready
            body = orjson.dumps({"ready": ready, "checks": self._readiness.report()})
            return ("200 OK" if ready else "503 Service Unavailable"), "application/json", body
        return "404 Not Found", "text/plain", b"not found\n"
