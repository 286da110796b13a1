"""The only place bytes become models and models become bytes (orjson + pydantic v2)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from typing import Any

import orjson
from pydantic import BaseModel, ValidationError

from news_ingest import __version__
from news_ingest.config import TopicSettings
from news_ingest.errors import InputRejected
from news_ingest.models import EnrichedArticle, RawArticle, RejectedRecord, RejectReason, SourceRef
from news_ingest.records import Headers, OutputRecord, Rejected, Result, SourceRecord

CONTENT_TYPE = b"application/json"
SCHEMA_NAMES = {
    EnrichedArticle: "news.articles.enriched",
    RawArticle: "news.articles.raw",
    RejectedRecord: "news.articles.rejected",
}
_MAX_DETAIL_CHARS = 1_000
MAX_DEPTH = 64  # nesting of objects and arrays in one input document; orjson cannot write past 254
MAX_KEY_BYTES = 16_384  # a longer key is replaced by its SHA-256 (hex) as the rejected record's key
MAX_TRACE_HEADER_BYTES = 1_024  # a passed-through trace header longer than this is dropped
# Room kept for a record's headers and framing (source, schema and reject headers), before trace headers.
RECORD_OVERHEAD_BYTES = 1_024


def decode_raw(record: SourceRecord, *, max_message_bytes: int) -> RawArticle:
    """Parse one consumed value into a ``RawArticle``; size is checked before any parsing."""
    value = record.value
    if value is None:
        raise InputRejected(RejectReason.NULL_VALUE, "message has no value (tombstone)")
    if len(value) > max_message_bytes:
        raise InputRejected(RejectReason.TOO_LARGE, f"value is {len(value)} bytes, limit is {max_message_bytes}")
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise _classify_json_error(value, exc) from None
    if not isinstance(data, dict):
        raise InputRejected(
            RejectReason.SCHEMA_VIOLATION, f"top level must be a JSON object, got {type(data).__name__}"
        )
    too_deep = _too_deep(data)
    if too_deep is not None:
        raise InputRejected(RejectReason.SCHEMA_VIOLATION, f"{too_deep}: nested deeper than {MAX_DEPTH} levels")
    try:
        return RawArticle.model_validate(data)
    except ValidationError as exc:
        raise InputRejected(RejectReason.SCHEMA_VIOLATION, summarise(exc)) from None


def _too_deep(document: dict[str, Any]) -> str | None:
    """The top-level field holding values nested past ``MAX_DEPTH`` (walked without recursion), or ``None``."""
    for name, value in document.items():
        pending: list[tuple[Any, int]] = [(value, 2)]
        while pending:
            item, depth = pending.pop()
            children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
            if children is None:
                continue
            if depth > MAX_DEPTH:
                return str(name)[:100]
            pending.extend((child, depth + 1) for child in children)
    return None


def _classify_json_error(value: bytes, exc: orjson.JSONDecodeError) -> InputRejected:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        return InputRejected(
            RejectReason.INVALID_UTF8,
            f"byte 0x{value[utf8_error.start]:02x} at offset {utf8_error.start} is not valid UTF-8",
        )
    return InputRejected(RejectReason.INVALID_JSON, str(exc)[:_MAX_DETAIL_CHARS])


def summarise(exc: ValidationError) -> str:
    """One line naming each failing field and why, e.g. ``url: Field required; title: Input should be...``."""
    parts = []
    for error in exc.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in error["loc"]) or "(root)"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)[:_MAX_DETAIL_CHARS]


def encode_model(model: BaseModel) -> bytes:
    """Serialise an output model to compact JSON; same model, same bytes."""
    return orjson.dumps(model.model_dump(mode="json"))


def encode_payload(payload: Any) -> bytes:
    """Serialise plain data (a raw event written by ``replay`` or the demo) to JSON bytes."""
    return orjson.dumps(payload)


def decode_enriched(value: bytes) -> EnrichedArticle:
    """Parse a record from the enriched or duplicates topic (used by ``tail`` and consumers' tests)."""
    return EnrichedArticle.model_validate_json(value)


def decode_rejected(value: bytes) -> RejectedRecord:
    """Parse a record from the rejected topic."""
    return RejectedRecord.model_validate_json(value)


def reject(record: SourceRecord, error: InputRejected, *, max_record_bytes: int) -> Rejected:
    """Wrap a bad record in the rejected envelope. Its original key and bytes are embedded (base64) only while
    the envelope, with its key, stays within ``max_record_bytes``; otherwise the envelope references them
    (size, SHA-256, source offset) and says so with ``original_truncated`` / ``original_key_truncated``."""
    value, key = record.value, record.key
    reference = RejectedRecord(
        reason=error.reason,
        stage=error.stage,
        detail=error.detail[:_MAX_DETAIL_CHARS],
        source=SourceRef(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            timestamp_ms=record.timestamp_ms,
        ),
        original_value_b64=None,
        original_key_b64=None,
        original_size_bytes=len(value) if value is not None else 0,
        original_sha256=hashlib.sha256(value).hexdigest() if value is not None else None,
        original_truncated=value is not None,
        original_key_size_bytes=len(key) if key is not None else 0,
        original_key_sha256=hashlib.sha256(key).hexdigest() if key is not None else None,
        original_key_truncated=key is not None,
        service_version=__version__,
    )
    room = max_record_bytes - len(rejected_key(key) or b"") - len(encode_model(reference))
    embedded: dict[str, Any] = {}
    for name, flag, data in (("original_key_b64", "original_key_truncated", key),
                             ("original_value_b64", "original_truncated", value)):  # fmt: skip
        if data is None:
            continue
        size = 4 * -(-len(data) // 3)  # base64 length; the JSON gains its quotes, loses a null and a "true"
        if size <= room:
            room -= size
            embedded |= {name: base64.b64encode(data).decode("ascii"), flag: False}
    return Rejected(reference.model_copy(update=embedded) if embedded else reference)


def rejected_key(key: bytes | None) -> bytes | None:
    """The key a rejected record is published with: the original, or its SHA-256 in hex when it is too long."""
    if key is None or len(key) <= MAX_KEY_BYTES:
        return key
    return hashlib.sha256(key).hexdigest().encode()


def original_value(envelope: RejectedRecord) -> bytes | None:
    """The bytes a rejected envelope carries, as they were consumed."""
    if envelope.original_value_b64 is None:
        return None
    return base64.b64decode(envelope.original_value_b64)


def to_output(
    result: Result, source: SourceRecord, *, topics: TopicSettings, trace_headers: Iterable[str]
) -> OutputRecord:
    """Turn a pipeline result into the record to publish: topic, key, value bytes and headers."""
    passthrough = _trace_headers(source.headers, frozenset(trace_headers))
    if isinstance(result, Rejected):
        envelope = result.envelope
        headers = (
            *_common_headers(RejectedRecord, source),
            ("reject-reason", envelope.reason.value.encode()),
            ("reject-stage", envelope.stage.value.encode()),
            *passthrough,
        )
        return OutputRecord(topics.output(result.outcome), rejected_key(source.key), encode_model(envelope), headers)
    article = result.article
    key = (article.dedup.cluster_id or article.article_id).encode()
    headers = (*_common_headers(EnrichedArticle, source), *passthrough)
    return OutputRecord(topics.output(result.outcome), key, encode_model(article), headers)


def _common_headers(model: type[BaseModel], source: SourceRecord) -> Headers:
    return (
        ("content-type", CONTENT_TYPE),
        ("schema-name", SCHEMA_NAMES[model].encode()),
        ("schema-version", b"1"),
        ("source-topic", source.topic.encode()),
        ("source-partition", str(source.partition).encode()),
        ("source-offset", str(source.offset).encode()),
    )


def _trace_headers(headers: Headers, wanted: frozenset[str]) -> Headers:
    """The first of each wanted trace header, if it is of a sane size (a trace id, not a payload)."""
    kept: dict[str, tuple[str, bytes]] = {}
    for name, value in headers:
        folded = name.lower()
        if folded in wanted and folded not in kept and len(value) <= MAX_TRACE_HEADER_BYTES:
            kept[folded] = (name, value)
    return tuple(kept.values())
