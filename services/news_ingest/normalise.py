"""Normalise stage: turn a ``RawArticle`` into a clean, comparable ``Article`` with a deterministic id."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from news_ingest.errors import InputRejected
from news_ingest.models import Article, RawArticle, RejectReason, Stage


def normalise(raw: RawArticle) -> Article:
    """Clean the text and derive the ids later stages key on; an article with no text left is rejected."""
    body = raw.body.strip()
    title = raw.title.strip() if raw.title else None
    if not body:
        raise InputRejected(RejectReason.EMPTY_CONTENT, "body is empty after cleaning", stage=Stage.NORMALISE)
    canonical_url = raw.url.strip()
    content_hash = content_digest(title, body)
    return Article(
        article_id=article_id(canonical_url, content_hash),
        url=raw.url,
        canonical_url=canonical_url,
        title=title,
        body=body,
        content_hash=content_hash,
        word_count=len(body.split()),
        language=raw.language,
        published_at=parse_timestamp(raw.published_at),
        fetched_at=raw.fetched_at.astimezone(UTC) if raw.fetched_at else None,
        source=raw.source,
        event_id=raw.event_id,
        metadata=raw.metadata,
    )


def content_digest(title: str | None, body: str) -> str:
    """Hash of the normalised title and body: equal text, equal hash, whoever published it."""
    return hashlib.blake2b(f"{title or ''}\n{body}".encode(), digest_size=16).hexdigest()


def article_id(canonical_url: str, content_hash: str) -> str:
    """Deterministic article id, so a re-published or reprocessed article upserts in place downstream."""
    return hashlib.blake2b(f"{canonical_url}\n{content_hash}".encode(), digest_size=16).hexdigest()


def parse_timestamp(value: str | float | None) -> datetime | None:
    """Parse ISO 8601 / RFC 3339, RFC 2822 or Unix seconds to an aware UTC datetime; ``None`` if unparseable."""
    if value is None or isinstance(value, bool):
        return None
    parsed: datetime | None
    if isinstance(value, int | float):
        try:
            parsed = datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    else:
        parsed = _parse_text(value.strip())
    if parsed is None:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _parse_text(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
