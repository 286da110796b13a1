"""structlog set-up: JSON via orjson in production, a console renderer in a TTY; events, not sentences."""

from __future__ import annotations

import logging
import sys
from typing import Any, BinaryIO, TextIO, cast

import orjson
import structlog

from news_ingest.config import LogSettings

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


class _CurrentStderr:
    """Writes to whatever ``sys.stderr`` is at write time, so no logger ever holds a stream that was swapped
    out and closed (test runners and embedding applications replace it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()

    def isatty(self) -> bool:
        return sys.stderr.isatty()


class _CurrentStderrBytes:
    """The bytes side of ``_CurrentStderr`` for the orjson renderer."""

    def write(self, data: bytes) -> int:
        buffer = getattr(sys.stderr, "buffer", None)
        if buffer is not None:
            return int(buffer.write(data))
        return sys.stderr.write(data.decode("utf-8", "replace"))

    def flush(self) -> None:
        sys.stderr.flush()


def configure(settings: LogSettings, *, stream: TextIO | None = None) -> None:
    """Configure structlog once, at start-up (never at import time); logs go to stderr unless ``stream``.

    The standard library's loggers (aiokafka's, asyncio's, warnings) render through the same processors, so
    JSON mode is one JSON object per line whoever logs, tracebacks included as structured fields."""
    out: Any = stream or _CurrentStderr()
    as_json = settings.format == "json" or (settings.format == "auto" and not out.isatty())
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    render: structlog.typing.Processor
    if as_json:
        render = structlog.processors.JSONRenderer(serializer=orjson.dumps)
        sink = out.buffer if stream else cast(BinaryIO, _CurrentStderrBytes())  # duck-typed: write and flush
        factory: Any = structlog.BytesLoggerFactory(file=sink)
        # frames without their locals: a local may hold a secret or an article's text
        tracebacks: list[structlog.typing.Processor] = [
            structlog.processors.ExceptionRenderer(structlog.tracebacks.ExceptionDictTransformer(show_locals=False))
        ]
    else:
        render = structlog.dev.ConsoleRenderer(colors=out.isatty())
        factory = structlog.PrintLoggerFactory(file=out)
        tracebacks = []
    structlog.configure(
        processors=[*shared, *tracebacks, render],
        wrapper_class=structlog.make_filtering_bound_logger(_LEVELS[settings.level]),
        logger_factory=factory,
        cache_logger_on_first_use=True,
    )
    foreign = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *tracebacks,
            structlog.processors.JSONRenderer(serializer=_json_text) if as_json else render,
        ],
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(foreign)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(max(logging.WARNING, _LEVELS[settings.level]))  # aiokafka's info lines are chatter
    logging.captureWarnings(True)


def _json_text(value: Any, **_: Any) -> str:
    return orjson.dumps(value, default=str).decode()
