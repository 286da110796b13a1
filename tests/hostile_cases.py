"""Records a hostile-input run found to crash or mislead the service, each with the outcome it must get now.

Shared by the unit tests (the pipeline and the worker with in-memory twins) and the live test through the real
broker. Every case is one raw record (key and value) and what must come of it: an enriched article with a flag
set, or a rejection with its reason. None of them may raise, stall, or take its neighbours down with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from news_ingest.models import EnrichedArticle, RejectedRecord, RejectReason

BODY = "Dockers in Portmere began repairing the harbour wall on Monday after the storm flooded the quay."


def event(**fields: Any) -> bytes:
    return orjson.dumps({"url": "https://hostile.example/story", "body": BODY} | fields)


def nested_event(field: str, depth: int) -> bytes:
    """An event whose ``field`` holds objects nested ``depth`` levels deep (written as text: no JSON library
    writes past a few hundred levels, which is why these passed decoding and failed at encoding)."""
    value = '{"a": ' * (depth - 1) + "{}" + "}" * (depth - 1)
    return event()[:-1] + f', "{field}": {value}}}'.encode()


def long_paragraphs(count: int, words: int) -> str:
    """Paragraphs that all share their first word and little else: the shape that made repeat detection
    quadratic (each paragraph compared with every earlier one)."""
    return "\n\n".join(
        "Harbour " + " ".join(f"w{(n * words + k) % 99_991}x" for k in range(words)) + "." for n in range(count)
    )


@dataclass(frozen=True)
class Case:
    """One hostile record and the check its output must pass."""

    name: str
    value: bytes
    key: bytes | None = None
    reason: RejectReason | None = None  # None: the record is enriched (or a duplicate), not rejected
    check: Callable[[EnrichedArticle | RejectedRecord], bool] = lambda _: True


def _flag(name: str) -> Callable[[EnrichedArticle | RejectedRecord], bool]:
    return lambda output: isinstance(output, EnrichedArticle) and getattr(output, name) is True


def _truncated(output: EnrichedArticle | RejectedRecord) -> bool:
    return isinstance(output, RejectedRecord) and output.original_truncated and output.original_value_b64 is None


def _key_referenced(output: EnrichedArticle | RejectedRecord) -> bool:
    return (
        isinstance(output, RejectedRecord) and output.original_key_truncated and output.original_key_sha256 is not None
    )


CASES = (
    Case("published_at at the calendar's start with an offset", event(published_at="0001-01-01T00:00:00+01:00")),
    Case("published_at at the calendar's end with an offset", event(published_at="9999-12-31T23:59:59-01:00")),
    Case(
        "fetched_at at the calendar's start with an offset",
        event(fetched_at="0001-01-01T00:00:00+01:00"),
        check=_flag("fetched_at_clamped"),
    ),
    Case(
        "fetched_at at the calendar's end with an offset",
        event(fetched_at="9999-12-31T23:59:59-01:00"),
        check=_flag("fetched_at_clamped"),
    ),
    Case("fetched_at in the year 9000", event(fetched_at="9000-01-01T00:00:00Z"), check=_flag("fetched_at_clamped")),
    Case("a malformed IPv6 host", event(url="http://[::1/x"), reason=RejectReason.SCHEMA_VIOLATION),
    Case("a port out of range", event(url="http://hostile.example:99999/x"), reason=RejectReason.SCHEMA_VIOLATION),
    Case("a javascript: address", event(url="javascript:alert(1)"), reason=RejectReason.SCHEMA_VIOLATION),
    Case("a data: address", event(url="data:text/html,<b>x</b>"), reason=RejectReason.SCHEMA_VIOLATION),
    Case("metadata nested 300 levels", nested_event("metadata", 300), reason=RejectReason.SCHEMA_VIOLATION),
    Case("an unknown field nested 1,000 levels", nested_event("extra", 1_000), reason=RejectReason.SCHEMA_VIOLATION),
    Case("a body cut at the per-article limit", event(body=long_paragraphs(2_000, 30)), check=_flag("body_truncated")),
    Case("a 999 KB value that is not JSON", b"{" + b"x" * 999_000, reason=RejectReason.INVALID_JSON, check=_truncated),
    Case(
        "a 1.5 MB key with a 2 MB value",
        b"y" * 2_000_000,
        key=b"k" * 1_500_000,
        reason=RejectReason.TOO_LARGE,
        check=lambda output: _truncated(output) and _key_referenced(output),
    ),
)
