"""A web page's headline, for events that send a whole page and no ``title``.

The headline weighs most in the tags (countries and entities a title names lead the story), and the page's own
copy of it is cut from the body with the other header lines (``main_content``). So when an event has no title,
the page's is taken: the page's metadata title (``og:title``, ``twitter:title`` or ``<title>``) as the page
itself shows it, which is

- a heading (``<h1>``-``<h3>``, or an element whose class or id says "headline" or "title") that the metadata
  title is, or holds whole ("Opinion | <h1>", "<h1> - The Paper"); a logo or a "Create a new password" heading
  is no headline, and the metadata may word it differently;
- else the longest run of the metadata title's parts (split at a bar, a dash, a double colon or a guillemet)
  that the page's text holds: "TheStar.com | Sports | <headline>" -> "<headline>"; a page shows its site's and
  sections' names too, so a run with an outlet's or a section's word ("Press", "Stories") is not taken, nor one
  of fewer than five words with no content word in lower case ("The Independent on Saturday").

Either way, leading and trailing parts of at most four words go when three words or more are left ("<headline> -
Men's College Basketball"), and a headline must have three to 40 words and not end in an outlet's word ("Local
Sports Wire", "Winona Daily News"): a page whose title is its site's name gives none, and no headline is better
than a wrong one, which would lead the tags.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from news_ingest.normalise.chrome import headline_key
from news_ingest.normalise.text import squash_spaces

_METADATA = ('meta[property="og:title"]', 'meta[name="og:title"]', 'meta[name="twitter:title"]')
_HEADINGS = ("h1", "h2", "h3", "[class*=headline],[class*=title],[id*=headline],[id*=title]")
_HEADINGS_READ = 3  # of each kind, in page order
_PART_BREAK = re.compile(r"\s+(?:\||::|\u00bb|-|\u2013|\u2014)\s+")
_MAX_SITE_WORDS = 4
_MIN_WORDS, _MAX_WORDS = 3, 40
_OUTLET_WORDS = frozenset(
    (
        "news", "wire", "blog", "blogs", "times", "post", "herald", "journal", "gazette", "tribune", "telegraph",
        "online", "daily", "sun", "star", "chronicle", "observer", "mail", "express", "magazine", "weekly", "today",
        "network", "radio", "tv", "channel", "press", "station", "com", "net", "org", "site", "website", "homepage",
        "views",
    )
)  # fmt: skip


_SECTION_WORDS = frozenset(
    ("entertainment", "lifestyle", "stories", "section", "sports", "sport", "home", "index", "archive", "latest")
)
_FUNCTION_WORDS = frozenset(("a", "an", "and", "the", "of", "on", "in", "for", "from", "at", "to", "by", "with"))
_MIN_PLAIN_WORDS = 5  # a run this long need not show a word in lower case ("T.J. Ford Cleared To Practice Today")


def page_headline(tree: LexborHTMLParser) -> str | None:
    """The page's headline (see the module docstring), or ``None`` when it shows none."""
    titles = _metadata_titles(tree)
    if not titles:
        return None
    keys = [headline_key(title) for title in titles]
    for selector in _HEADINGS:
        for heading in tree.css(selector)[:_HEADINGS_READ]:
            text = squash_spaces(heading.text(deep=True))
            key = headline_key(text)
            if key and any(_holds(title_key, key) for title_key in keys):
                return _fit(_without_site_parts(text))
    body = tree.body
    page_key = f" {headline_key(body.text(deep=True, separator=' '))} " if body is not None else ""
    for run in _runs(titles[0]):
        if f" {headline_key(run)} " in page_key and _reads_like_a_headline(run):
            return _fit(_without_site_parts(run))
    return None


def _reads_like_a_headline(run: str) -> bool:
    """Not a site's or a section's name ("Winnipeg Free Press", "Arts and Entertainment", "NY1: Top Stories"),
    which a page shows too: no outlet or section word, and a content word in lower case or five words or more."""
    words = headline_key(run).split()
    if any(word in _OUTLET_WORDS or word in _SECTION_WORDS for word in words):
        return False
    return len(words) >= _MIN_PLAIN_WORDS or any(
        word[0].islower() and headline_key(word) not in _FUNCTION_WORDS for word in run.split()
    )


def _metadata_titles(tree: LexborHTMLParser) -> list[str]:
    found = [node.attributes.get("content") or "" for selector in _METADATA for node in tree.css(selector)[:1]]
    title = tree.css_first("title")
    if title is not None:
        found.append(title.text(deep=True))
    return [text for text in (squash_spaces(value) for value in found) if text]


def _holds(title_key: str, heading_key: str) -> bool:
    """Whether a metadata title is the heading, or the heading with a site name or a section before or after it."""
    if title_key == heading_key:
        return True
    words = len(heading_key.split())  # and more than half the title: the rest is a site's name, not the headline
    return (
        words >= _MIN_WORDS
        and 2 * words > len(title_key.split())
        and (title_key.startswith(heading_key + " ") or title_key.endswith(" " + heading_key))
    )


def _runs(title: str) -> list[str]:
    """Runs of the title's consecutive parts, the longest first: the page shows the headline, not the site name."""
    parts = _PART_BREAK.split(title)
    runs = [" - ".join(parts[start:end]) for start in range(len(parts)) for end in range(start + 1, len(parts) + 1)]
    return sorted((run for run in runs if len(run.split()) >= _MIN_WORDS), key=len, reverse=True)


def _without_site_parts(text: str) -> str:
    parts = _PART_BREAK.split(text)
    while len(parts) > 1 and len(parts[0].split()) <= _MAX_SITE_WORDS and _words(parts[1:]) >= _MIN_WORDS:
        parts = parts[1:]
    while len(parts) > 1 and len(parts[-1].split()) <= _MAX_SITE_WORDS and _words(parts[:-1]) >= _MIN_WORDS:
        parts = parts[:-1]
    return " - ".join(parts)


def _words(parts: list[str]) -> int:
    return sum(len(part.split()) for part in parts)


def _fit(headline: str) -> str | None:
    words = headline.split()
    if not _MIN_WORDS <= len(words) <= _MAX_WORDS or headline_key(words[-1]).rsplit(" ", 1)[-1] in _OUTLET_WORDS:
        return None
    return headline
