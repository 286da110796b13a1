"""The article's own part of a whole web page: the container its paragraphs are in, without the page around it.

Crawlers often send the whole page, not the article body: menus, bylines and timestamps, share bars, cookie notes,
"more stories" teasers with excerpts, comment threads, footers. Dropping navigation, widgets and link lists
(``markup``) leaves much of that in (on the article-extraction benchmark a fifth of the words kept were not the
article's), and what is left reaches the tags: a teaser's people, a footer's country. So the page is read as a tree
of blocks and only the article's part is kept:

- each block's own text (what is not inside a nested block) is a *unit*; a unit of 25 characters or more that is
  not mostly link text is *prose*, scored by its length and commas (long sentences with clauses are article text;
  menu items and captions are short);
- a unit inside a block named for page furniture ("sidebar", "related", "comments", "footer"... in a class or id,
  unless the same name also says "content", "article" or "story"), or inside ``<aside>``, counts a tenth;
- prose scores its container in full, the block above it by half, the next by a third; the best-scored block is
  where the article is;
- the article may be split across blocks (by a figure, an advert, a pull quote): blocks beside it, and beside the
  blocks above it up to three levels, are kept too when they hold at least a fifth of its prose score or are a
  prose paragraph of their own, and are not mostly link text (a teaser list is: its headlines are links).

A body that is an article already (feed HTML: paragraphs and no page around them) comes out whole, since its
best block is the one holding every paragraph. A page too large to judge cheaply is left as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode as Node

from news_ingest.normalise import dateline

# The elements that start a paragraph of text (``markup``), and the blocks of the tree read here: those and the
# containers a page lays its parts out in.
LINE_BREAKING_TAGS = frozenset(
    (
        "p", "div", "section", "article", "aside", "footer", "header", "main", "li", "ul", "ol", "dl", "dt", "dd",
        "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr", "td", "th", "figure", "figcaption",
        "address",
    )
)  # fmt: skip
BLOCK_TAGS = LINE_BREAKING_TAGS | {"tbody", "thead", "tfoot", "form", "center", "body"}
_PARAGRAPHS = frozenset(("p", "pre", "blockquote", "li", "dd", "td"))  # a unit whose container is its parent
_FURNITURE = frozenset(
    (
        "sidebar", "widget", "related", "recommended", "recommend", "promo", "teaser", "teasers", "footer",
        "comment", "comments", "share", "social", "nav", "menu", "trending", "popular", "newsletter", "sponsor",
        "sponsored", "outbrain", "taboola", "aside", "breadcrumb", "breadcrumbs", "masthead", "banner", "cookie",
        "subscribe", "signup",
    )
)  # fmt: skip
_ARTICLE_NAMES = frozenset(("content", "article", "entry", "story", "body", "text", "main"))
_NAME_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")  # "commentsContainer" -> comments, Container
_FURNITURE_DEPTH = 6  # blocks up from a unit whose names are read
_MIN_PROSE_CHARS = 25
_MAX_LINK_SHARE = 0.3  # of a unit's text, past which it is a link, not prose
_LENGTH_POINTS_CAP = 6.0  # a unit scores one point a hundred characters, up to this
_FURNITURE_WEIGHT = 0.1
_SIBLING_SHARE = 0.2  # of the best block's prose score, for a block beside it to be kept
_SIBLING_LEVELS = 3
_SIBLING_MAX_LINK_SHARE = 0.15
_OWN_PARAGRAPH_CHARS = 80
_SENTENCE_ENDS = (".", "!", "?", '"', "\u201d", ":", "\u3002", "\uff01", "\uff1f")  # and the CJK full stop, !, ?
_LABEL_WORDS = 2
_PAGE_CHARS, _PAGE_SHARE = 200, 0.1  # text outside the article that makes it a page, not feed HTML
_HEADER_LINES = 8  # lines read before the article's first sentence, at most
_MAX_NODES = 20_000  # past this many elements the page is kept as it is: the walk is linear, but in Python


@dataclass(slots=True)
class _Block:
    node: Node
    parent: int  # index of the enclosing block, -1 for the root
    depth_to_furniture: int  # blocks up to the nearest one named for furniture, or a large number
    in_link: bool
    text: list[str] = field(default_factory=list)
    chars: int = 0
    linked: int = 0
    children: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _Tally:
    """Per block: its score as the article's container, and over its subtree, prose score, characters, link text."""

    candidate: list[float]
    prose: list[float]
    chars: list[int]
    linked: list[int]
    own_paragraph: list[bool]  # a prose paragraph on its own (a lede outside the body's container)


def keep_main_content(root: Node, *, page_chars: int = 0) -> None:
    """Remove from ``root`` every part outside the article's blocks (see the module docstring); ``page_chars``:
    the page's text before menus and widgets were dropped (the article's header lines go only from a page)."""
    blocks = _blocks(root)
    if blocks is None or len(blocks) < 2:
        return
    tally = _tally(blocks)
    best = max(range(len(blocks)), key=tally.candidate.__getitem__)
    if best == 0 or tally.candidate[best] <= 0:
        return  # the root holds the article (feed HTML), or no block holds prose
    kept, on_path = {best}, best
    for _ in range(_SIBLING_LEVELS):
        parent = blocks[on_path].parent
        if parent < 0:
            break
        kept.update(
            sibling for sibling in blocks[parent].children if sibling != on_path and _beside(tally, sibling, best)
        )
        on_path = parent
    _remove_all_but(root, [blocks[index].node for index in kept])
    outside = max(page_chars, tally.chars[0]) - sum(tally.chars[index] for index in kept)
    if outside >= max(_PAGE_CHARS, _PAGE_SHARE * page_chars):  # a page around it: its header lines go too
        for index in _edge_lines(blocks, kept):
            blocks[index].node.decompose()


def _beside(tally: _Tally, sibling: int, best: int) -> bool:
    """A block beside the article's (or above it) that is part of the article: not a link list, and a fifth of
    its prose or a prose paragraph of its own."""
    if tally.linked[sibling] > _SIBLING_MAX_LINK_SHARE * tally.chars[sibling]:
        return False
    return tally.prose[sibling] >= _SIBLING_SHARE * tally.prose[best] or tally.own_paragraph[sibling]


def _tally(blocks: list[_Block]) -> _Tally:
    size = len(blocks)
    tally = _Tally(
        [0.0] * size, [0.0] * size, [block.chars for block in blocks], [b.linked for b in blocks], [False] * size
    )
    for index, block in enumerate(blocks):
        if block.chars < _MIN_PROSE_CHARS or block.linked > _MAX_LINK_SHARE * block.chars:
            continue
        text = " ".join(block.text)
        score = 1 + text.count(",") + min(block.chars / 100, _LENGTH_POINTS_CAP)
        if block.depth_to_furniture < _FURNITURE_DEPTH:
            score *= _FURNITURE_WEIGHT
        else:
            tally.prose[index] = score
            tally.own_paragraph[index] = block.chars >= _OWN_PARAGRAPH_CHARS and _ends_a_sentence(text)
        container = block.parent if block.node.tag in _PARAGRAPHS and block.parent >= 0 else index
        for weight in (1.0, 0.5, 1 / 3):
            if container < 0:
                break
            tally.candidate[container] += score * weight
            container = blocks[container].parent
    for index in range(size - 1, 0, -1):  # a block comes after its parent: subtrees summed upwards
        parent = blocks[index].parent
        tally.prose[parent] += tally.prose[index]
        tally.chars[parent] += tally.chars[index]
        tally.linked[parent] += tally.linked[index]
    return tally


def _edge_lines(blocks: list[_Block], kept: set[int]) -> list[int]:
    """Short lines of their own around the article's paragraphs: before the first, those that are no sentence
    and no dateline (the timestamp, the headline again, the byline, a wire slug); after the last, labels of one
    or two words ("Topics", "Comments"), since a list or a credit line may close an article."""
    ends = list(range(len(blocks)))  # the last block of each block's subtree (blocks are in document order)
    for index in range(len(blocks) - 1, 0, -1):
        parent = blocks[index].parent
        ends[parent] = max(ends[parent], ends[index])
    inside = sorted(i for top in kept for i in range(top, ends[top] + 1) if blocks[i].chars)
    paragraphs = [i for i in inside if _is_paragraph(blocks[i])]
    if not paragraphs:
        return []
    opening = next(i for i in inside if _is_paragraph(blocks[i]) or _a_sentence_or_dateline(blocks[i]))
    first, last = min(opening, inside[min(_HEADER_LINES, len(inside) - 1)]), ends[paragraphs[-1]]
    lines = [i for i in inside if not blocks[i].children and blocks[i].chars < _OWN_PARAGRAPH_CHARS]
    before = [i for i in lines if i < first and not _a_sentence_or_dateline(blocks[i])]
    return before + [i for i in lines if i > last and _a_label(blocks[i])]


def _is_paragraph(block: _Block) -> bool:
    return block.chars >= _OWN_PARAGRAPH_CHARS and block.linked <= _MAX_LINK_SHARE * block.chars


def _a_sentence_or_dateline(block: _Block) -> bool:
    text = " ".join(block.text)
    return text.endswith(_SENTENCE_ENDS) or dateline.match(f"{text} x") is not None


def _a_label(block: _Block) -> bool:
    words = " ".join(block.text).split()
    return len(words) <= _LABEL_WORDS and not any(char.isdigit() for word in words for char in word)


def _ends_a_sentence(text: str) -> bool:
    return ". " in text or "\u3002" in text or text.endswith(_SENTENCE_ENDS)


def _blocks(root: Node) -> list[_Block] | None:
    """The block tree under ``root`` in document order, each block with its own text; None past ``_MAX_NODES``."""
    blocks = [_Block(root, -1, 1_000, False)]
    stack: list[tuple[Node, int, bool]] = [(child, 0, False) for child in _children(root)][::-1]
    visited = 0
    while stack:
        node, owner, in_link = stack.pop()
        if node.is_text_node:
            text = node.text(deep=False)
            if text.strip():
                words = " ".join(text.split())
                block = blocks[owner]
                block.text.append(words)
                block.chars += len(words) + 1
                if in_link or block.in_link:
                    block.linked += len(words) + 1
            continue
        if not node.is_element_node:
            continue
        visited += 1
        if visited > _MAX_NODES:
            return None
        tag = node.tag
        if tag in BLOCK_TAGS:
            parent = blocks[owner]
            furniture = 0 if _named_for_furniture(node) else parent.depth_to_furniture + 1
            blocks.append(_Block(node, owner, furniture, in_link or parent.in_link))
            parent.children.append(len(blocks) - 1)
            owner, in_link = len(blocks) - 1, False
        elif tag == "a":
            in_link = True
        stack.extend((child, owner, in_link) for child in _children(node)[::-1])
    return blocks


def _children(node: Node) -> list[Node]:
    found = []
    child = node.child
    while child is not None:
        found.append(child)
        child = child.next
    return found


def _named_for_furniture(node: Node) -> bool:
    """An ``<aside>``, or a class or id naming page furniture but not the article ("comments"; not "comment-text")."""
    if node.tag == "aside":
        return True
    attributes = node.attributes
    names = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
    if not names.strip():
        return False
    words = {word.lower() for word in _NAME_WORD.findall(names)}
    return not words.isdisjoint(_FURNITURE) and words.isdisjoint(_ARTICLE_NAMES)


def _remove_all_but(root: Node, kept: list[Node]) -> None:
    """Decompose everything under ``root`` that is neither one of ``kept``, inside one, nor above one."""
    keep = set(kept)
    above: set[Node] = set()
    for node in kept:
        parent = node.parent
        while parent is not None and parent not in above:
            above.add(parent)
            parent = parent.parent
    stack = [root]
    while stack:
        for child in _children(stack.pop()):
            if child in keep:
                continue
            if child in above:
                stack.append(child)
            elif child.is_element_node or (child.is_text_node and child.text(deep=False).strip()):
                child.decompose()
