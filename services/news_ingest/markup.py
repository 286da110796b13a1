"""HTML to text blocks with a real HTML5 parser (selectolax/Lexbor); scripts, styles, navigation and widgets dropped."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

_LOOKS_LIKE_HTML = re.compile(r"<(?:!doctype|html|body|p|div|br|article|span|a|h[1-6]|ul|li|section)\b", re.IGNORECASE)
_DROP = ",".join(
    (
        "script", "style", "noscript", "template", "nav", "form", "iframe", "svg", "canvas", "button",
        "select", "input", "object", "embed", "header nav", "[hidden]", "[aria-hidden=true]",
        "[class*=share]", "[class*=social]", "[class*=subscribe]", "[class*=newsletter]", "[class*=cookie]",
        "[id*=share]", "[id*=social]", "[id*=newsletter]", "[id*=cookie]", "[class*=advert]", "[id*=advert]",
    )
)  # fmt: skip
_BLOCKS = ",".join(
    (
        "p", "div", "section", "article", "aside", "footer", "header", "main", "li", "ul", "ol", "dl", "dt",
        "dd", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr", "td", "th", "figure",
        "figcaption", "address",
    )
)  # fmt: skip
BLOCK_BREAK = "\n\n"


def looks_like_html(body: str) -> bool:
    """True when the body carries block markup worth parsing (plain text with a stray "<" is left alone)."""
    return _LOOKS_LIKE_HTML.search(body) is not None


def html_to_text(body: str) -> str:
    """Visible text with a blank line between block elements and a line break for ``<br>``."""
    tree = LexborHTMLParser(body)
    root = tree.body or tree.root
    if root is None:
        return ""
    for node in root.css(_DROP):
        node.decompose()
    for node in root.css("br"):
        node.insert_before("\n")
    for node in root.css(_BLOCKS):
        node.insert_before(BLOCK_BREAK)
        node.insert_after(BLOCK_BREAK)
    return root.text(separator="", strip=False)
