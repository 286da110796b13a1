"""HTML to text blocks with a real HTML5 parser (selectolax/Lexbor); scripts, styles, navigation and widgets dropped."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser
from selectolax.lexbor import LexborNode as Node

from news_ingest.normalise.headline import page_headline
from news_ingest.normalise.main_content import LINE_BREAKING_TAGS, keep_main_content
from news_ingest.normalise.text import UNSPACED

_LOOKS_LIKE_HTML = re.compile(
    r"<(?:!doctype|html|head|body|p|div|br|article|section|main|header|footer|nav|aside|span|a|b|i|em|strong"
    r"|h[1-6]|ul|ol|li|table|tr|td|figure|img|script|style|noscript|form|iframe)\b",
    re.IGNORECASE,
)
_DROP = ",".join(
    (
        "script", "style", "noscript", "template", "nav", "iframe", "svg", "canvas", "button",
        "select", "input", "object", "embed", "footer", "[hidden]", "[aria-hidden=true]",
    )
)  # fmt: skip
# Widgets are recognised by class or id; only small ones go, since a page may wrap everything in "social-...".
# ASP.NET pages wrap the whole page in a <form>, so forms are judged the same way.
_WIDGETS = "form," + ",".join(
    f"[{attribute}*={word}]"
    for attribute in ("class", "id")
    for word in ("share", "social", "subscribe", "newsletter", "cookie", "advert", "promo", "related", "comment")
)
_MAX_WIDGET_CHARS = 400
# Blocks that are mostly link text are menus, link lists and related-story lists, not article prose.
_LINK_LIST_CANDIDATES = "ul,ol,table,div,section,aside,header,p,li,td"
_MAX_LINK_SHARE = 0.5
# Judging a block costs its subtree, so nesting bombs would be quadratic. Real news pages have at most ~850
# candidate blocks (measured on the article-extraction and L3S-GN1 sets); past this the pass is skipped.
_MAX_LINK_LIST_NODES = 5_000
_BLOCKS = ",".join(sorted(LINE_BREAKING_TAGS))
BLOCK_BREAK = "\n\n"
# Line breaks in HTML source are spaces; only <br> and block elements break lines. They are marked with
# control characters (gone from clean text) while the source's whitespace is folded.
_LINE_MARK, _BLOCK_MARK = "\x1e", "\x1d"
_SOURCE_SPACE = re.compile(r"[ \t\r\n\f\v]+")
_UNSPACED_BREAK = re.compile(f"(?<=[{UNSPACED}])[ \\t]*[\\r\\n][ \\t\\r\\n\\f\\v]*(?=[{UNSPACED}])")
# An HTML5 parser's cost on misnested formatting tags ("<div><p><b>" repeated) grows with the square of the
# tags: 0.14 s at 20k tags, 0.64 s at 40k, about 20 s at 240k (a 1 MB body). Real pages have fewer (the largest
# of 1,786 boilerplate-benchmark pages has 19,252, the 99th percentile ~3,200), so past this many the markup is
# not parsed but stripped, in one linear pass, and the text kept.
_MAX_PARSED_TAGS = 20_000
_TAG = re.compile(r"<[^<>]{0,2000}>")


def looks_like_html(body: str) -> bool:
    """True when the body carries block markup worth parsing (plain text with a stray "<" is left alone)."""
    return _LOOKS_LIKE_HTML.search(body) is not None


@dataclass(frozen=True, slots=True)
class HtmlPage:
    """What an HTML body gives: its article's text, and the page's headline when it names one."""

    text: str
    headline: str | None = None


def html_to_text(body: str) -> str:
    """Visible text with a blank line between block elements and a line break for ``<br>``."""
    return read_html(body).text


def read_html(body: str, *, headline: bool = True) -> HtmlPage:
    """The article's visible text (a blank line between block elements, a line break for ``<br>``) and, when
    ``headline`` asks for it (the event sent no title), the page's headline (``headline.page_headline``)."""
    if body.count("<") > _MAX_PARSED_TAGS:
        return HtmlPage(html.unescape(_TAG.sub(" ", body)))
    tree = LexborHTMLParser(body)
    found_headline = page_headline(tree) if headline else None
    root = tree.body or tree.root
    if root is None:
        return HtmlPage("", found_headline)
    page_chars = len(" ".join(root.text(deep=True).split()))
    for node in root.css(_DROP):
        node.decompose()
    for node in root.css(_WIDGETS):
        if len(node.text(deep=True)) <= _MAX_WIDGET_CHARS:
            node.decompose()
    _drop_link_lists(root)
    keep_main_content(root, page_chars=page_chars)  # a whole page: the article's blocks only
    for node in root.css("pre"):  # preformatted text keeps its lines
        node.replace_with(node.text(deep=True).replace("\n", _LINE_MARK))
    for node in root.css("br"):
        node.insert_before(_LINE_MARK)
    for node in root.css(_BLOCKS):
        node.insert_before(_BLOCK_MARK)
        node.insert_after(_BLOCK_MARK)
    text = _SOURCE_SPACE.sub(" ", _UNSPACED_BREAK.sub("", root.text(separator="", strip=False)))
    return HtmlPage(text.replace(_BLOCK_MARK, BLOCK_BREAK).replace(_LINE_MARK, "\n"), found_headline)


def _drop_link_lists(root: Node) -> None:
    """Remove blocks whose visible text is mostly inside links, deepest first (so parents are judged on
    what is left of them)."""
    candidates = root.css(_LINK_LIST_CANDIDATES)
    if len(candidates) > _MAX_LINK_LIST_NODES:
        return
    for node in reversed(candidates):
        total = len(node.text(deep=True, strip=True))
        if total == 0:
            continue
        linked = sum(len(link.text(deep=True, strip=True)) for link in node.css("a"))
        if linked / total > _MAX_LINK_SHARE:
            node.decompose()
