"""Aggregator chrome: site furniture, bylines and picture credits (``credits``), the "Read more" and "Similar
News" marks, and other stories' teasers (their headlines kept as ``related``, their text out of the body)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from news_ingest.normalise import credits, dateline
from news_ingest.normalise.layout import Kind, Line, Paragraph

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
# Headings that open a list of other stories: what follows them up to "Read more" is a teaser.
_LISTING = re.compile(
    r"Similar News:.*|You can also read news stories similar to this one.*"
    r"|Related(?: articles| stories| news| coverage| content)?:?"
    r"|(?:More|Other|Top|Latest) (?:articles|stories|news|coverage)(?: from \w+(?: \w+)?)?:?|More from \w+(?: \w+)?:?"
    r"|(?:See|Read) also:?|Recommended(?: stories| reading| for you)?:?",
    re.IGNORECASE,
)
_READ_MORE = re.compile(r"Read (?:more|full story|the full (?:article|story))\s*(?:\u00bb|>>|\u2192|\.\.\.|\u2026)?",
                        re.IGNORECASE)  # fmt: skip
# Aggregator phrases that also turn up glued inside other text: each ends the text before it.
_INLINE = re.compile(
    r"(?P<chrome>(?P<country>[A-Z][A-Za-z.'-]{1,20}(?: [A-Z][A-Za-z.'-]{1,20}){0,3}) Latest News, (?P=country)"
    r" Headlines)"
    r"|(?P<related>Similar News: ?You can also read news stories similar to this one that we have collected from"
    r" other news sources\.?)"
    r"|(?P<more>(?i:(?:\.\.\.|\u2026)?\s*Read more\s*(?:\u00bb|>>|\u2192)))"
)
_INLINE_HINT = re.compile(r"Latest News|Similar News|read more", re.IGNORECASE)
_GLUE = re.compile(r"(?<=[a-z0-9.!?'\")\u2019])(?=[A-Z(])")
# A headline ending in an acronym ("...surpassing GM", "...Apple TV") glued to a dateline: "GMTokyo, Japan - " or
# "TVOSLO\u2014". The title-case place starts where an upper-case letter meets lower case; an all-caps one is
# told from the acronym only by being a known place.
_GLUED_WORD = re.compile(r"[a-z][A-Z]|^[A-Z]{2,}[a-z]")  # "TunesBERLIN", "GMoscow": the glue is further on
_CAPS_GLUE = re.compile(r"(?<=[A-Z])(?=[A-Z(])")
IsPlace = Callable[[str], bool]
Split = Callable[[str], "tuple[str, str] | None"]
_MAX_TITLE_CHARS = 300
_MAX_HEADLINE_CHARS = 200
_MAX_TEASER_PARAGRAPHS = 2  # a headline and its lede; a longer run after a mark is article text
_ENDS_PROSE = frozenset(".!?")


@dataclass
class Sorted:
    """The article's paragraphs, and the headlines of the other stories teased on its page."""

    paragraphs: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)


_CHROME_STARTS = frozenset(
    {"read", "similar", "you", "click", "share", "tweet", "email", "print", "copy", "whatsapp", "facebook",
     "twitter", "linkedin", "pinterest", "reddit", "subscribe", "sign", "follow", "advertisement", "sponsored",
     "related", "image", "photo", "picture", "all", "copyright", "\u00a9", "more", "other", "top", "latest", "see",
     "recommended"}
)  # fmt: skip


def is_chrome(line: str) -> bool:
    """A whole line of site furniture (never article text)."""
    stripped = line.strip()
    if not stripped or len(stripped) > _MAX_CHROME_LINE_CHARS:
        return False
    first = stripped.split(maxsplit=1)[0].rstrip(":").lower()
    if first not in _CHROME_STARTS and "Latest News" not in stripped:
        return False  # cheap pre-check: every chrome pattern starts with one of these words
    return _CHROME.fullmatch(stripped) is not None or _LISTING.fullmatch(stripped) is not None


def mark_lines(text: str, *, is_place: IsPlace | None = None) -> list[Line]:
    """The page's lines, each marked text, blank, chrome, a "Read more", a list heading or a teaser's start;
    aggregator phrases glued inside a line are cut out of it first. ``is_place`` tells an all-caps dateline glued
    to a headline's closing acronym from the acronym."""
    lines: list[Line] = []
    after_by = False
    for raw in text.split("\n"):
        if not raw.strip():
            lines.append(Line("", Kind.BLANK))
            continue
        if credits.is_credit(raw) or (after_by and credits.is_names_line(raw)):
            lines.append(Line(raw.strip(), Kind.CHROME))  # a byline, a picture credit or a caption
        elif _INLINE_HINT.search(raw):
            lines.extend(_cut_inline(credits.without_trailing_credit(raw), is_place))
        else:
            lines.append(_marked(credits.without_trailing_credit(raw), is_place))
        after_by = credits.is_lone_by(raw)
    return lines


def _cut_inline(raw: str, is_place: IsPlace | None) -> list[Line]:
    lines: list[Line] = []
    start = 0
    for phrase in _INLINE.finditer(raw):
        if raw[start : phrase.start()].strip():
            lines.append(_marked(raw[start : phrase.start()], is_place))
        kind = Kind.CHROME if phrase["chrome"] else Kind.RELATED if phrase["related"] else Kind.MORE
        lines.append(Line(phrase.group().strip(), kind))
        start = phrase.end()
    if raw[start:].strip():
        lines.append(_marked(raw[start:], is_place))
    return lines


def _marked(raw: str, is_place: IsPlace | None) -> Line:
    stripped = raw.strip()
    if is_chrome(stripped):
        if _READ_MORE.fullmatch(stripped):
            return Line(stripped, Kind.MORE)
        return Line(stripped, Kind.RELATED if _LISTING.fullmatch(stripped) else Kind.CHROME)
    return Line(raw, Kind.TEASER if split_glued(stripped, is_place) is not None else Kind.TEXT)


def split_glued(text: str, is_place: IsPlace | None = None) -> tuple[str, str] | None:
    """Split "...downed over CrimeaMoscow, Russia - Russia said..." into (headline, dateline-led rest)."""
    if " - " not in text and ":" not in text and "\u2014" not in text and "\u2013" not in text:
        return None  # every dateline has a separator
    for glue in _GLUE.finditer(text, 0, _MAX_TITLE_CHARS):
        start = glue.start()
        if start < 10 or (text[start - 1].islower() and not text[start - 2].isalnum()):
            continue  # a headline has a few words; "iTunes", "eBay" are one word
        found = dateline.match(text[start:])
        if found is not None and _GLUED_WORD.search(found["place"]) is None:
            after_digit = text[start - 1].isdigit() and found["place"].isupper()  # "3GBERLIN": G is the acronym's
            if not after_digit or (is_place is not None and is_place(found["place"])):
                return text[:start].strip(), text[start:]
            continue
        if found is None and dateline.starts(text[start:]):  # "...talks(Reuters) - "
            return text[:start].strip(), text[start:]
    for glue in _CAPS_GLUE.finditer(text, 10, _MAX_TITLE_CHARS):
        start = glue.start()
        if not (text[start - 2].isupper() or text[start - 2].isdigit() or text[start - 2].isspace()):
            continue  # not after an acronym ("GM", "TV", "3G")
        if text[start] == "(":
            if dateline.starts(text[start:]):  # "...surpassing GM(Reuters) - "
                return text[:start].strip(), text[start:]
            continue
        title_case = text[start + 1 : start + 2].islower()
        found = dateline.match(text[start:])
        if found is not None and (title_case or (is_place is not None and is_place(found["place"]))):
            return text[:start].strip(), text[start:]
    return None


def sift(paragraphs: list[Paragraph], *, title: str | None, is_place: IsPlace | None = None) -> Sorted:
    """The article's paragraphs and the teased headlines, from the page's paragraphs and marks.

    Teasers come in runs: a list heading ("Similar News: ...") or a "Read more »" opens a run, and each
    "Read more »" closes one teaser (its headline and lede). Before any mark only a paragraph that is a headline
    glued to a dateline can be a teaser (the page's first paragraph excepted: that is the article's own
    headline glued to its lede), so an article excerpt followed by "Read more »" stays the article.
    """
    glued_at = functools.partial(split_glued, is_place=is_place)
    result = Sorted()
    own = _key(title) if title else None
    group: list[Paragraph] = []
    opened = listing = False
    for item in (*paragraphs, Paragraph("", Kind.BLANK)):
        if item.kind in {Kind.TEXT, Kind.TEASER}:
            group.append(item)
            continue
        closed = item.kind is Kind.MORE
        if closed and opened and _is_teaser(group, listing=listing):
            _keep_title(result, _headline(group, glued_at), own)
        elif closed and not opened and group and group[-1].kind is Kind.TEASER:
            _article(group[:-1], result, own, glued_at, listing=listing)
            _keep_title(result, _headline(group[-1:], glued_at), own)
        else:
            _article(group, result, own, glued_at, listing=listing)
        group = []
        opened = opened or item.kind in {Kind.MORE, Kind.RELATED}
        listing = listing or item.kind is Kind.RELATED
    return result


def _is_teaser(group: list[Paragraph], *, listing: bool) -> bool:
    if not group:
        return False
    return group[0].kind is Kind.TEASER or (listing and len(group) <= _MAX_TEASER_PARAGRAPHS)


def _article(group: list[Paragraph], result: Sorted, own: str | None, glued_at: Split, *, listing: bool) -> None:
    """Paragraphs outside a closed teaser: a glued headline is another story's teaser, except at the top of
    the page; after a list heading a lone headline is a related story."""
    for paragraph in group:
        glued = glued_at(paragraph.text) if paragraph.kind is Kind.TEASER else None
        if glued is not None and not result.paragraphs and not result.related:
            _keep_title(result, glued[0], own)  # the page's own headline glued to its lede
            result.paragraphs.append(glued[1])
        elif glued is not None:
            _keep_title(result, glued[0], own)
        elif listing and _looks_like_headline(paragraph.text):
            _keep_title(result, paragraph.text, own)
        else:
            result.paragraphs.append(paragraph.text)


def _headline(group: list[Paragraph], glued_at: Split) -> str:
    first = group[0].text
    glued = glued_at(first)
    if glued is not None:
        return glued[0]
    if dateline.starts(first):
        return ""  # a lede with no headline before it
    if len(group) > 1 and _looks_like_headline(first):
        return first
    head = re.split(r" [-\u2013\u2014] |\.\s", first, maxsplit=1)[0]
    return head[:_MAX_TITLE_CHARS].rstrip(" .\u2026")


def _looks_like_headline(text: str) -> bool:
    return len(text) <= _MAX_HEADLINE_CHARS and " " in text and text[-1] not in _ENDS_PROSE


def _keep_title(result: Sorted, candidate: str, own_title: str | None) -> None:
    candidate = candidate.strip()
    if candidate and _key(candidate) != own_title and candidate not in result.related:
        result.related.append(candidate)


def headline_key(text: str) -> str:
    """A headline's words, lower case: two headlines are the same when their keys are."""
    return " ".join(re.findall(r"\w+", text.lower()))


_key = headline_key
