"""Normalise stage (core behaviour so far): ids, hashes, timestamps, empty content."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from news_ingest.errors import InputRejected
from news_ingest.models import RawArticle, RejectReason, Stage
from news_ingest.normalise import normalise, parse_timestamp


def raw(**fields: object) -> RawArticle:
    return RawArticle.model_validate({"url": "https://a.example/x", "body": "Some text here.", **fields})


def test_same_input_gives_the_same_article_id() -> None:
    assert normalise(raw()).article_id == normalise(raw()).article_id


def test_different_text_gives_a_different_id_and_hash() -> None:
    first, second = normalise(raw()), normalise(raw(body="Other text."))
    assert first.article_id != second.article_id
    assert first.content_hash != second.content_hash


def test_content_hash_ignores_the_url() -> None:
    assert normalise(raw()).content_hash == normalise(raw(url="https://b.example/y")).content_hash


@pytest.mark.parametrize("body", ["", "   ", "\n\t \n"])
def test_body_empty_after_cleaning_is_rejected(body: str) -> None:
    with pytest.raises(InputRejected) as caught:
        normalise(raw(body=body))
    assert caught.value.reason is RejectReason.EMPTY_CONTENT
    assert caught.value.stage is Stage.NORMALISE


def test_word_count_counts_words() -> None:
    assert normalise(raw(body="One two  three\nfour.")).word_count == 4


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-24T09:30:00Z", datetime(2026, 11, 24, 9, 30, tzinfo=UTC)),
        ("2026-11-24T11:30:00+02:00", datetime(2026, 11, 24, 9, 30, tzinfo=UTC)),
        ("2026-11-24 09:30:00", datetime(2026, 11, 24, 9, 30, tzinfo=UTC)),
        ("Tue, 24 Nov 2026 09:30:00 GMT", datetime(2026, 11, 24, 9, 30, tzinfo=UTC)),
        (1_795_512_600, datetime(2026, 11, 24, 9, 30, tzinfo=UTC)),
        ("next tuesday", None),
        (None, None),
    ],
)
def test_timestamps_are_parsed_to_utc(value: str | int | None, expected: datetime | None) -> None:
    assert parse_timestamp(value) == expected
