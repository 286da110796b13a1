"""Aggregator chrome: site furniture lines, related-story teasers (kept as titles) and glued title/datelines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from news_ingest.normalise import dateline

_MAX_CHROME_LINE_CHARS = 300
_CHROME = re.compile(
    r"(?:"
    r"(?P<country>[A-Z][\w .'-]{1,40}) Latest News, (?P=country) Headlines"
    r"|Similar News:.*"
    r"|You can also read news stories similar to this one.*"
    r"|Read (?:more|full story|the full article)\s*(?:»|>>|\u2192|\.\.\.)?"
    r"|Click here (?:to|for) .*"
    r"|(?:Share|Share this(?: article| story)?|Share on \w+|Tweet|Email|Print|Copy link|WhatsApp|Facebook|Twitter|"
    r"LinkedIn|Pinterest|Reddit)(?:\s*[|/·•]\s*\w+)*"
    r"|(?:Subscribe|Sign up)(?: now| today)?(?: to| for)? (?:our |the )?(?:newsletter|updates|alerts).*"
    r"|Follow us on .*"
    r"|Advertisement|ADVERTISEMENT|Sponsored(?: content)?|Related(?: articles| stories| news)?:?"
    r"|(?:Image|Photo|Picture) (?:copyright|credit|source):? .*"
    r"|All rights reserved\.?.*|(?:Copyright|\u00a9) \d{4}.*"
    r")",
    re.IGNORECASE,
)
# Aggregator phrases that also turn up glued inside other text; replaced by a line break before line checks.
_INLINE = re.compile(
    r"(?P<country>[A-Z][A-Za-z.'-]{1,20}(?: [A-Z][A-Za-z.'-]{1,20}){0,3}) Latest News, (?P=country) Headlines"
    r"|Similar News: You can also read news stories similar to this one that we have collected from other news"
    r" sources\.?"
)
_TEASER_END = re.compile(r"(?:\.\.\.|\u2026)?\s*Read more\s*(?:»|>>|\u2192)", re.IGNORECASE)
_GLUE = re.compile(r"(?<=[a-z0-9.!?'\")\u2019])(?=[A-Z])")
_MAX_TITLE_CHARS = 300


@dataclass
class Sorted:
    """Paragraphs with chrome removed, and the related-story titles found on the way."""

    paragraphs: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)


_CHROME_STARTS = frozenset(
    {"read", "similar", "you", "click", "share", "tweet", "email", "print", "copy", "whatsapp", "facebook",
     "twitter", "linkedin", "pinterest", "reddit", "subscribe", "sign", "follow", "advertisement", "sponsored",
     "related", "image", "photo", "picture", "all", "copyright", "\u00a9"}
)  # fmt: skip


def is_chrome(line: str) -> bool:
    """A whole line of site furniture (never article text)."""
    stripped = line.strip()
    if not stripped or len(stripped) > _MAX_CHROME_LINE_CHARS:
        return False
    first = stripped.split(maxsplit=1)[0].rstrip(":").lower()
    if first not in _CHROME_STARTS and "Latest News" not in stripped:
        return False  # cheap pre-check: every chrome pattern starts with one of these words
    return _CHROME.fullmatch(stripped) is not None


def strip_lines(text: str) -> str:
    """Remove aggregator phrases wherever they stand, then every line that is wholly chrome."""
    if "Latest News" in text or "Similar News" in text:
        text = _INLINE.sub("\n", text)
    return "\n".join(line for line in text.split("\n") if not is_chrome(line))


def split_glued(text: str) -> tuple[str, str] | None:
    """Split "...downed over CrimeaMoscow, Russia - Russia said..." into (title, dateline-led rest)."""
    if " - " not in text and ":" not in text and "\u2014" not in text and "\u2013" not in text:
        return None  # every dateline has a separator
    for glue in _GLUE.finditer(text, 0, _MAX_TITLE_CHARS):
        start = glue.start()
        if start >= 10 and dateline.match(text[start:]) is not None:
            return text[:start].strip(), text[start:]
    return None


def sift(paragraphs: list[str], *, title: str | None) -> Sorted:
    """Drop chrome lines and teaser blocks, keep teaser titles in ``related``, split glued title/datelines."""
    result = Sorted()
    own_title = _key(title) if title else None
    for original in paragraphs:
        paragraph: str | None = original
        if _may_be_teaser(original) and _TEASER_END.search(original):
            pieces = _TEASER_END.split(original)
            for teaser in (piece.strip() for piece in pieces[:-1]):
                _keep_title(result, _teaser_title(teaser), own_title)
            paragraph = pieces[-1].strip() or None
        if paragraph is None or is_chrome(paragraph):
            continue
        glued = split_glued(paragraph)
        if glued is not None:
            _keep_title(result, glued[0], own_title)
        result.paragraphs.append(glued[1] if glued is not None else paragraph)
    return result


def _may_be_teaser(paragraph: str) -> bool:
    return "more" in paragraph or "More" in paragraph or "MORE" in paragraph


def _teaser_title(teaser: str) -> str:
    glued = split_glued(teaser)
    if glued is not None:
        return glued[0]
    head = re.split(r" [-\u2013\u2014] |\.\s", teaser, maxsplit=1)[0]
    return head[:_MAX_TITLE_CHARS].rstrip(" .\u2026")


def _keep_title(result: Sorted, candidate: str, own_title: str | None) -> None:
    if candidate and _key(candidate) != own_title and candidate not in result.related:
        result.related.append(candidate)


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))
