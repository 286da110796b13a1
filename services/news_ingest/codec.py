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
from news_ingest.records import Duplicate, Headers, OutputRecord, Rejected, Result, SourceRecord

CONTENT_TYPE = b"application/json"
SCHEMA_NAMES = {
    EnrichedArticle: "news.articles.enriched",
    RawArticle: "news.articles.raw",
    RejectedRecord: "news.articles.rejected",
}
_MAX_DETAIL_CHARS = 1_000
_ENVELOPE_OVERHEAD_BYTES = 4_096


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
    try:
        return RawArticle.model_validate(data)
    except ValidationError as exc:
        raise InputRejected(RejectReason.SCHEMA_VIOLATION, summarise(exc)) from None


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


def reject(record: SourceRecord, error: InputRejected, *, max_embed_bytes: int) -> Rejected:
    """Wrap a bad record in the rejected envelope, embedding its original bytes when they fit the producer."""
    value = record.value
    fits = value is not None and (len(value) * 4) // 3 + _ENVELOPE_OVERHEAD_BYTES <= max_embed_bytes
    envelope = RejectedRecord(
        reason=error.reason,
        stage=error.stage,
        detail=error.detail[:_MAX_DETAIL_CHARS],
        source=SourceRef(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            timestamp_ms=record.timestamp_ms,
        ),
        original_value_b64=base64.b64encode(value).decode("ascii") if value is not None and fits else None,
        original_key_b64=base64.b64encode(record.key).decode("ascii") if record.key is not None else None,
        original_size_bytes=len(value) if value is not None else 0,
        original_sha256=hashlib.sha256(value).hexdigest() if value is not None else None,
        original_truncated=value is not None and not fits,
        service_version=__version__,
    )
    return Rejected(envelope)


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
        return OutputRecord(topics.rejected, source.key, encode_model(envelope), headers)
    article = result.article
    topic = topics.duplicates if isinstance(result, Duplicate) else topics.enriched
    key = (article.dedup.cluster_id or article.article_id).encode()
    headers = (*_common_headers(EnrichedArticle, source), *passthrough)
    return OutputRecord(topic, key, encode_model(article), headers)


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
    return tuple((name, value) for name, value in headers if name.lower() in wanted)
