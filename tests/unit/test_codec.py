"""The codec: bytes in, models out; results out, records with headers."""

from __future__ import annotations

import base64
import hashlib

import orjson
import pytest

from news_ingest.codec import decode_raw, encode_model, original_value, reject, to_output
from news_ingest.config import TopicSettings
from news_ingest.errors import InputRejected
from news_ingest.models import DedupInfo, EnrichedArticle, Provenance, RejectReason, Stage
from news_ingest.records import Duplicate, Enriched, SourceRecord

TOPICS = TopicSettings()


def record(value: bytes | None, *, key: bytes | None = None, headers=()) -> SourceRecord:
    return SourceRecord(topic="raw", partition=2, offset=41, key=key, value=value, headers=headers, timestamp_ms=1)


def rejected_reason(value: bytes | None, *, limit: int = 10_000) -> RejectReason:
    with pytest.raises(InputRejected) as caught:
        decode_raw(record(value), max_message_bytes=limit)
    return caught.value.reason


def test_valid_event_becomes_raw_article() -> None:
    raw = decode_raw(record(b'{"url": "https://a.example/x", "body": "Text.", "title": "T"}'), max_message_bytes=1000)
    assert (raw.url, raw.body, raw.title) == ("https://a.example/x", "Text.", "T")


def test_unknown_top_level_fields_are_kept_under_metadata() -> None:
    value = orjson.dumps({"url": "https://u.example/", "body": "b", "section": "world", "metadata": {"crawler": "x"}})
    raw = decode_raw(record(value), max_message_bytes=1000)
    assert raw.metadata == {"section": "world", "crawler": "x"}


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, RejectReason.NULL_VALUE),
        (b'{"url": "https://u.example/", "body": "' + b"x" * 200 + b'"}', RejectReason.TOO_LARGE),
        (b'{"url": "https://u.example/", "body": "caf\xe9"}', RejectReason.INVALID_UTF8),
        (b'{"url": "https://u.example/", "body": ', RejectReason.INVALID_JSON),
        (b'{"url": "https://u.example/", "body": NaN}', RejectReason.INVALID_JSON),
        (b"[1, 2]", RejectReason.SCHEMA_VIOLATION),
        (b'{"body": "no url"}', RejectReason.SCHEMA_VIOLATION),
        (b'{"url": "https://u.example/", "body": 42}', RejectReason.SCHEMA_VIOLATION),
        (
            b'{"url": "https://u.example/", "body": "b", "fetched_at": "2026-11-24T10:00:00"}',
            RejectReason.SCHEMA_VIOLATION,
        ),
    ],
)
def test_bad_input_is_rejected_with_a_specific_reason(value: bytes | None, reason: RejectReason) -> None:
    assert rejected_reason(value, limit=150) is reason


def test_schema_violation_names_the_failing_fields() -> None:
    with pytest.raises(InputRejected) as caught:
        decode_raw(record(b'{"title": 3, "body": "b"}'), max_message_bytes=1000)
    assert "url: Field required" in caught.value.detail
    assert "title: Input should be a valid string" in caught.value.detail


def test_invalid_utf8_detail_gives_the_byte_and_offset() -> None:
    with pytest.raises(InputRejected) as caught:
        decode_raw(record(b'{"url": "\xff"}'), max_message_bytes=1000)
    assert caught.value.detail == "byte 0xff at offset 9 is not valid UTF-8"


def test_size_is_checked_before_parsing() -> None:
    with pytest.raises(InputRejected) as caught:
        decode_raw(record(b"{" * 5000), max_message_bytes=4999)  # would be invalid JSON if parsed
    assert caught.value.reason is RejectReason.TOO_LARGE
    assert caught.value.detail == "value is 5000 bytes, limit is 4999"


def test_rejected_envelope_carries_the_original_bytes_exactly() -> None:
    value = b'{"url": "https://u.example/", "body": \x00\xff broken'
    error = InputRejected(RejectReason.INVALID_UTF8, "bad byte")
    rejected = reject(record(value, key=b"k1"), error, max_record_bytes=1_000_000)
    envelope = rejected.envelope
    assert original_value(envelope) == value
    assert base64.b64decode(envelope.original_key_b64 or "") == b"k1"
    assert (envelope.source.topic, envelope.source.partition, envelope.source.offset) == ("raw", 2, 41)
    assert envelope.original_size_bytes == len(value)
    assert envelope.original_truncated is False


def test_value_too_big_to_embed_is_referenced_by_hash_not_dropped() -> None:
    value = b"x" * 10_000
    rejected = reject(record(value), InputRejected(RejectReason.TOO_LARGE, "big"), max_record_bytes=8_000)
    envelope = rejected.envelope
    assert envelope.original_value_b64 is None
    assert envelope.original_truncated is True
    assert envelope.original_size_bytes == 10_000
    assert envelope.original_sha256 == hashlib.sha256(value).hexdigest()


def article(*, cluster_id: str | None = "c1") -> EnrichedArticle:
    return EnrichedArticle(
        article_id="a1",
        url="https://u.example/",
        canonical_url="https://u.example/",
        body="b",
        content_hash="h",
        dedup=DedupInfo(cluster_id=cluster_id),
        provenance=Provenance(topic="raw", partition=2, offset=41, service_version="t"),
    )


def test_enriched_record_is_keyed_by_cluster_and_names_its_schema_and_source() -> None:
    source = record(b"{}", headers=(("traceparent", b"00-abc-01"), ("cookie", b"secret")))
    output = to_output(Enriched(article()), source, topics=TOPICS, trace_headers=("traceparent",))
    headers = dict(output.headers)
    assert output.topic == TOPICS.enriched
    assert output.key == b"c1"
    assert headers["schema-name"] == b"news.articles.enriched"
    assert headers["schema-version"] == b"1"
    assert headers["content-type"] == b"application/json"
    assert (headers["source-topic"], headers["source-partition"], headers["source-offset"]) == (b"raw", b"2", b"41")
    assert headers["traceparent"] == b"00-abc-01"
    assert "cookie" not in headers


def test_key_falls_back_to_article_id_without_cluster() -> None:
    output = to_output(Enriched(article(cluster_id=None)), record(b"{}"), topics=TOPICS, trace_headers=())
    assert output.key == b"a1"


def test_exact_duplicate_goes_to_the_duplicates_topic() -> None:
    output = to_output(Duplicate(article()), record(b"{}"), topics=TOPICS, trace_headers=())
    assert output.topic == TOPICS.duplicates


def test_rejected_record_headers_carry_reason_and_stage_and_keep_the_original_key() -> None:
    error = InputRejected(RejectReason.EMPTY_CONTENT, "empty", stage=Stage.NORMALISE)
    source = record(b'{"url": "https://u.example/", "body": ""}', key=b"orig")
    output = to_output(reject(source, error, max_record_bytes=10_000), source, topics=TOPICS, trace_headers=())
    headers = dict(output.headers)
    assert output.topic == TOPICS.rejected
    assert output.key == b"orig"
    assert headers["reject-reason"] == b"empty_content"
    assert headers["reject-stage"] == b"normalise"
    assert headers["schema-name"] == b"news.articles.rejected"


def test_encoding_is_deterministic() -> None:
    assert encode_model(article()) == encode_model(article())
