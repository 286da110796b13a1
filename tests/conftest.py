"""Shared test set-up: logging back to defaults between tests, so a test's captured stream never leaks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import structlog

from news_ingest.app import build_normaliser
from news_ingest.normalise import Normaliser


@pytest.fixture(autouse=True)
def _reset_logging() -> Iterator[None]:
    yield
    structlog.reset_defaults()


@pytest.fixture(scope="session")
def normaliser() -> Normaliser:
    """The real normalise stage; its gazetteer and language model load once per test session."""
    return build_normaliser()
