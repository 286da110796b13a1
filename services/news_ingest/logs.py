"""structlog set-up: JSON via orjson in production, a console renderer in a TTY; events, not sentences."""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

import orjson
import structlog

from news_ingest.config import LogSettings

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


def configure(settings: LogSettings, *, stream: TextIO | None = None) -> None:
    """Configure structlog once, at start-up (never at import time)."""
    out = stream or sys.stderr
    as_json = settings.format == "json" or (settings.format == "auto" and not out.isatty())
    processors: list[structlog.typing.Processor]
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if as_json:
        processors = [
            *shared,
            structlog.processors.dict_tracebacks,
            structlog.processors.JSONRenderer(serializer=orjson.dumps),
        ]
        factory: Any = structlog.BytesLoggerFactory(file=out.buffer)
    else:
        processors = [*shared, structlog.dev.ConsoleRenderer(colors=out.isatty())]
        factory = structlog.PrintLoggerFactory(file=out)
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(_LEVELS[settings.level]),
        logger_factory=factory,
        cache_logger_on_first_use=True,
    )
    # aiokafka logs through the standard library; keep its warnings, in the same stream.
    logging.basicConfig(stream=out, level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s %(message)s")
