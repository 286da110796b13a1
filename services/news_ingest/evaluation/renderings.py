"""One article rendered the ways real feeds send it: the input side of ``eval layouts`` and the layout suite.

A ``Story`` is an article's title, dateline and paragraphs as its source printed them. Each layout turns it into
the body a feed would send (blank-line paragraphs, one per line, CR or CRLF, HTML, hard-wrapped with blank lines
or with indented starts, with site chrome between and after the paragraphs, or followed by an aggregator's
teaser blocks built from other stories), varying width, indent, line endings and phrasing from a seeded
``random.Random``. The normalise stage must give every layout the record of the blank-line one.
"""

from __future__ import annotations

import html
import random
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# (city, country) pairs for teaser datelines: capitals whose names the gazetteer knows.
_PLACES = (
    ("Moscow", "Russia"), ("Beijing", "China"), ("Paris", "France"), ("Nairobi", "Kenya"), ("Lima", "Peru"),
    ("Ottawa", "Canada"), ("Canberra", "Australia"), ("Cairo", "Egypt"), ("Berlin", "Germany"),
    ("Tokyo", "Japan"), ("Madrid", "Spain"), ("Ankara", "Turkey"), ("Hanoi", "Vietnam"), ("Oslo", "Norway"),
)  # fmt: skip
_CHROME_COUNTRIES = ("United States", "United Kingdom", "India", "Nigeria", "Australia", "Canada", "Philippines")
_SITE_CHROME = (
    "Advertisement", "ADVERTISEMENT", "Share this article", "Share", "Tweet", "Follow us on Twitter",
    "Sign up for our newsletter", "Image copyright Getty Images", "Photo credit: AP", "Sponsored content",
)  # fmt: skip
_FOOTERS = ("Copyright 2024 The Daily Ledger. All rights reserved.", "All rights reserved.")
_LISTINGS = (
    "Similar News:You can also read news stories similar to this one that we have collected from other news sources.",
    "Similar News: You can also read news stories similar to this one that we have collected from other news sources.",
    "Related stories", "More from World News", "Read also:",
)  # fmt: skip
_READ_MORE = ("Read more \u00bb", "Read more \u00bb", "Read more >>", "Read more...")


@dataclass(frozen=True, slots=True)
class Story:
    """An article as its source printed it: ``dateline`` ("SALVADOR, Feb 26 -") leads the first paragraph."""

    id: str
    title: str | None
    paragraphs: tuple[str, ...]
    dateline: str | None = None

    def printed(self) -> list[str]:
        """The paragraphs, the first led by the dateline."""
        first = f"{self.dateline} {self.paragraphs[0]}" if self.dateline else self.paragraphs[0]
        return [first, *self.paragraphs[1:]]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A body as a feed sends it, and the headlines of the other stories it teases, as sent."""

    body: str
    teased: tuple[str, ...] = ()


Layout = Callable[[Story, random.Random, Sequence[Story]], Rendered]


def blank_lines(story: Story, rng: random.Random, others: Sequence[Story]) -> Rendered:
    """The reference: paragraphs separated by one blank line."""
    return Rendered("\n\n".join(story.printed()))


def one_per_line(story: Story, rng: random.Random, others: Sequence[Story]) -> Rendered:
    return Rendered("\n".join(story.printed()))


def line_endings(story: Story, rng: random.Random, others: Sequence[Story]) -> Rendered:
    """CRLF or bare CR, one paragraph per line or blank-line paragraphs."""
    ending = rng.choice(("\r\n", "\r"))
    return Rendered((ending * rng.choice((1, 2))).join(story.printed()))


def html_paragraphs(story: Story, rng: random.Random, others: Sequence[Story]) -> Rendered:
    """``<p>`` paragraphs (or ``<br><br>`` between them), the source itself hard-wrapped and indented or not."""
    width = rng.randint(60, 100)
    wrap = rng.random() < 0.5
    parts = [html.escape(p, quote=rng.random() < 0.5) for p in story.printed()]
    if wrap:
        parts = [
            textwrap.fill(p, width, initial_indent="  ", subsequent_indent="  ", break_on_hyphens=False) for p in parts
        ]
    breaks = rng.random() < 0.2
    inner = "<br><br>\n".join(parts) if breaks else "\n".join(f"<p>{p}</p>" for p in parts)
    title = f"<h1>{html.escape(story.title)}</h1>\n" if story.title and rng.random() < 0.3 else ""
    return Rendered(f"<html><body><article>\n{title}{inner}\n</article></body></html>")


def hard_wrapped(story: Story, rng: random.Random, others: Sequence[Story]) -> Rendered:
    """Lines wrapped near one width, paragraphs separated by blank lines."""
    width = rng.randint(55, 80)
    return Rendered("\n\n".join(textwrap.fill(p, width) for p in story.printed()))


def indented(story: Story, rng: random.Random, others: Sequence[Story]) -> Rendered:
    """Wire copy: lines wrapped near one width, each paragraph starting with an indent, no blank lines."""
    width, indent = rng.randint(55, 80), rng.choice(("  ", "   ", "    ", "     ", "\t"))
    first_indented = rng.random() < 0.5
    wrapped = [
        textwrap.fill(p, width, initial_indent=indent if n or first_indented else "")
        for n, p in enumerate(story.printed())
    ]
    return Rendered("\n".join(wrapped))


def with_chrome(story: Story, rng: random.Random, others: Sequence[Story]) -> Rendered:
    """Site chrome on lines of its own between the paragraphs and after them, in a flat or wrapped layout."""
    base = rng.choice((one_per_line, blank_lines, hard_wrapped))
    lines = base(story, rng, others).body.split("\n\n" if base is not one_per_line else "\n")
    paragraphs: list[str] = []
    for paragraph in lines:
        paragraphs.append(paragraph)
        if rng.random() < 0.3:
            paragraphs.append(_chrome_line(rng))
    paragraphs.extend(_chrome_line(rng) for _ in range(rng.randint(1, 3)))
    if rng.random() < 0.5:
        paragraphs.append(rng.choice(_FOOTERS))
    return Rendered(("\n" if base is one_per_line else "\n\n").join(paragraphs))


def with_teasers(story: Story, rng: random.Random, others: Sequence[Story]) -> Rendered:
    """The seed page's shape: the article, a country chrome line, a listing heading, then one to twenty teasers
    (another story's headline glued to a dateline, its lede whole or cut, "Read more" on its own line or not)."""
    candidates = [other for other in others if other.id != story.id and _teasable(other)]
    count = min(len(candidates), rng.choice((1, 2, 3, 6, 6, 20)))
    chosen = rng.sample(candidates, count)
    lines = list(story.printed())
    if rng.random() < 0.5:
        lines.insert(1, rng.choice((lines[0], story.paragraphs[0])))  # the lede again, with its dateline or not
    lines.append(_country_chrome(rng))
    if rng.random() < 0.8:
        lines.append(rng.choice(_LISTINGS))
    for other in chosen:
        lines.extend(_teaser(other, rng))
    separator = rng.choice(("\n", "\n", "\n\n", "\r\n"))
    return Rendered(separator.join(lines), teased=tuple(other.title or "" for other in chosen))


LAYOUTS: dict[str, Layout] = {
    "blank-lines": blank_lines,
    "one-per-line": one_per_line,
    "cr-crlf": line_endings,
    "html": html_paragraphs,
    "hard-wrapped": hard_wrapped,
    "indented": indented,
    "chrome": with_chrome,
    "teasers": with_teasers,
}
REFERENCE = "blank-lines"


def _chrome_line(rng: random.Random) -> str:
    return _country_chrome(rng) if rng.random() < 0.4 else rng.choice(_SITE_CHROME)


def _country_chrome(rng: random.Random) -> str:
    country = rng.choice(_CHROME_COUNTRIES)
    return f"{country} Latest News, {country} Headlines"


def _teasable(story: Story) -> bool:
    """A story whose headline an aggregator would print as is: mixed case, no closing punctuation."""
    title, lede = story.title or "", story.paragraphs[0]
    readable = lede[:1].isalnum() or lede[:1] in "\"'"  # not a wire flash ("****** French ...")
    return len(title.split()) >= 3 and not title.isupper() and title[-1:].isalnum() and readable


def _teaser(story: Story, rng: random.Random) -> list[str]:
    city, country = rng.choice(_PLACES)
    style = rng.randrange(6)
    if style == 0:
        head = f"{city}, {country} - "
    elif style == 1:
        head = f"{city.upper()}\u2014"
    elif style == 2:
        head = f"{city.upper()}: "
    elif style == 3:
        head = f"{city.upper()} (Reuters) - "
    elif style == 4:
        head = "(Reuters) - "
    else:
        head = f"{city}, {country} \u2013 "
    lede = story.paragraphs[0]
    if rng.random() < 0.6:  # cut mid-sentence, as aggregators print a teaser
        words = lede.split()
        lede = " ".join(words[: rng.randint(min(8, len(words)), max(8, min(40, len(words))))])
    glued = f"{story.title}{head}{lede}"
    if rng.random() < 0.7:
        return [glued, rng.choice(_READ_MORE)]
    return [f"{glued}{rng.choice(('', ' ', '... '))}Read more \u00bb"]
