"""Normalise stage: turn a ``RawArticle`` into clean, comparable text with its dateline, canonical URL and ids."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from news_ingest.errors import InputRejected
from news_ingest.models import Article, Dateline, RawArticle, RejectReason, Stage
from news_ingest.normalise import chrome, dateline, layout, markup, text
from news_ingest.normalise.repeats import drop_repeats
from news_ingest.normalise.urls import canonical_url
from news_ingest.places import Gazetteer

MAX_BODY_CHARS = 200_000  # work per article is bounded: longer text is cut (HTML after parsing; the raw
# value is already bounded by limits.max_message_bytes, and the HTML parser is linear C code)
_FUTURE_TOLERANCE = timedelta(days=1)  # published_at may run ahead of the fetch (time zones written wrong)
_CLOCK_SKEW = timedelta(hours=1)  # fetched_at may run ahead of this machine's clock (the crawler's clock)
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Normaliser:
    """The normalise stage; holds the gazetteer (datelines) and the language detector."""

    def __init__(
        self, *, gazetteer: Gazetteer, detect_language: Callable[[str], str | None], clock: Clock = utc_now
    ) -> None:
        self._gazetteer = gazetteer
        self._detect_language = detect_language
        self._clock = clock

    def __call__(self, raw: RawArticle) -> Article:
        """Clean text, chrome and repeats out, dateline parsed; an article with no text left is rejected."""
        title = _clean_title(raw.title)
        body, related, found_dateline, truncated, title = self.clean_body(raw.body, title=title)
        if not body:
            raise InputRejected(RejectReason.EMPTY_CONTENT, "body is empty after cleaning", stage=Stage.NORMALISE)
        now = self._clock()
        fetched_at, clamped = fetched_time(raw.fetched_at, now)
        published_at, estimated = published_time(parse_timestamp(raw.published_at), fetched_at, now)
        canonical = canonical_url(raw.url)
        content_hash = content_digest(title, body)
        return Article(
            article_id=article_id(canonical, content_hash),
            url=raw.url,
            canonical_url=canonical,
            title=title or None,
            body=body,
            content_hash=content_hash,
            word_count=len(body.split()),
            related=tuple(related),
            dateline=found_dateline,
            language=self._detect_language(f"{title or ''}\n{body}") or raw.language,
            published_at=published_at,
            published_at_estimated=estimated,
            fetched_at=fetched_at,
            fetched_at_clamped=clamped,
            body_truncated=truncated,
            source=raw.source,
            event_id=raw.event_id,
            metadata=raw.metadata,
        )

    def _is_place(self, name: str) -> bool:
        return self._gazetteer.resolve(name) is not None

    def clean_body(self, body: str, *, title: str | None) -> tuple[str, list[str], Dateline, bool, str | None]:
        """Body text -> (clean paragraphs joined by blank lines, related titles, dateline, whether it was cut, the
        title: the event's, else the headline of the web page it sent as the body)."""
        if markup.looks_like_html(body):
            page = markup.read_html(body, headline=title is None)
            body, title = page.text, title or _clean_title(page.headline)
        truncated = len(body) > MAX_BODY_CHARS
        body = body[:MAX_BODY_CHARS]
        lines = layout.paragraphs(chrome.mark_lines(text.clean_unicode(body), is_place=self._is_place))
        sifted = chrome.sift(lines, title=title, is_place=self._is_place)
        kept = _without_leading_title(sifted.paragraphs, title)
        found = dateline.extract(kept[0], self._gazetteer) if kept else None
        if found is not None:
            kept = [found.rest.strip(), *kept[1:]] if found.rest.strip() else kept[1:]
        cleaned = "\n\n".join(drop_repeats(kept, comparable=_after_dateline))
        return cleaned, sifted.related, found.dateline if found else Dateline(), truncated, title


def _clean_title(title: str | None) -> str | None:
    return text.squash_spaces(text.clean_unicode(title)) or None if title else None


def _without_leading_title(paragraphs: list[str], title: str | None) -> list[str]:
    if paragraphs and title and chrome.headline_key(paragraphs[0]) == chrome.headline_key(title):
        return paragraphs[1:]
    return paragraphs


def _after_dateline(paragraph: str) -> str:
    """A paragraph as compared for repeats: a repeated lede may keep the dateline its first copy lost."""
    found = dateline.match(paragraph)
    return paragraph[found.end() :] if found is not None else paragraph


def content_digest(title: str | None, body: str) -> str:
    """Hash of the normalised title and body: equal text, equal hash, whoever published it."""
    return hashlib.blake2b(f"{title or ''}\n{body}".encode(), digest_size=16).hexdigest()


def article_id(canonical: str, content_hash: str) -> str:
    """Deterministic article id, so a re-published or reprocessed article upserts in place downstream."""
    return hashlib.blake2b(f"{canonical}\n{content_hash}".encode(), digest_size=16).hexdigest()


def fetched_time(fetched: datetime | None, now: datetime) -> tuple[datetime | None, bool]:
    """The sender's ``fetched_at`` in UTC and False; or ``now`` and True when it cannot be true (ahead of this
    clock by more than the skew, before 1990, or outside what a UTC datetime holds), so that no one record's
    clock can move the dedup window."""
    if fetched is None:
        return None, False
    try:
        utc = fetched.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        return now, True
    if utc > now + _CLOCK_SKEW or utc < _EARLIEST:
        return now, True
    return utc, False


def published_time(published: datetime | None, fetched: datetime | None, now: datetime) -> tuple[datetime | None, bool]:
    """``published_at`` if plausible: from 1990 on, and no more than a day ahead of the fetch (or, with no
    fetch time, of this clock). Else ``fetched_at`` with the flag set, or ``None`` when there is no fetch time
    either (the dedup stage then uses the processing time, and no far-off date reaches it)."""
    if published is not None and _EARLIEST <= published <= (fetched or now) + _FUTURE_TOLERANCE:
        return published, False
    return (fetched, True) if fetched is not None else (None, False)


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
    try:
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:  # year 1 or 9999 with an offset that takes it past the calendar's ends in UTC
        return None


def _parse_text(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
