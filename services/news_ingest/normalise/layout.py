"""Line structure: the lines of a page to its paragraphs, whatever the layout it was sent in.

Feeds send one paragraph per line, paragraphs between blank lines, text hard-wrapped near a fixed width with
blank lines or with indented paragraph starts, and HTML (already turned into blank-line blocks). The layout is
read from the text lines themselves, never from the lines around them: chrome and teaser lines (marked by
``chrome.mark_lines``) only end a block, so removing them cannot change how the rest is split.

Hard-wrapped text is told by its lines ending mid-sentence: a paragraph written on one line ends in a full stop,
a quote or a bracket, while most wrapped lines end in the middle of a sentence. Each block with enough lines is
judged on its own; smaller blocks follow the judgement of all the document's blocks together.
"""

from __future__ import annotations

import enum
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

import wordfreq

from news_ingest.normalise.text import squash_spaces, unspaced

_ENDS_SENTENCE = frozenset(".!?:;\"')]\u2026\u00bb\u201d\u2019")
# A list item ("- Parenting plans...", "• Fines of up to..."): always a paragraph of its own. A wrapped line may start
# with a dash too ("- or $1.83 -"), but then a lower-case word follows.
_LIST_ITEM = re.compile(r"(?:[-\u2013\u2022\u00b7*]|\d{1,2}[.)]) +[\"'(A-Z0-9]")
_CONTINUES = frozenset(",-\u2013\u2014")  # a line ending in a comma or a dash goes on in the next
# A line that stops on one of these goes on in the next: no heading or paragraph ends with them.
_FUNCTION_WORDS = frozenset(
    {"a", "an", "the", "of", "to", "in", "on", "at", "by", "for", "from", "with", "and", "or", "but", "as", "that",
     "than", "into", "onto", "over", "under", "about", "its", "their", "his", "her"}
)  # fmt: skip
_SUSPENDED_BEFORE = frozenset({"or", "and", "to", "nor"})
_MIN_LINES_TO_JUDGE = 3  # lines (not counting each block's last) needed before a layout is read from them
_WRAPPED_SHARE = 0.5  # of a block's lines ending mid-sentence: at least this, it is hard-wrapped
_FLAT_SHARE = 0.2  # at most this: one paragraph per line
_FULL_SHARE = 0.6  # of the lines that stop mid-sentence, the share the next word would not have fitted on
_OVER_WIDTH, _OVER_SHARE = 1.15, 0.1  # lines past the width, and the share of them wrapped text may have
_MIN_WRAP_WIDTH = 40  # text is wrapped at 60-80 columns; narrower runs of lines are tables (company results)
_WIDTH_QUANTILE = 0.95  # the wrap width is read off the longest lines, leaving out a few outliers
_COMMON_WORD_ZIPF = 3.0  # wordfreq Zipf frequency from which a joined-up word is taken as a word
_PART_WORD_ZIPF = 2.5  # ... and below which the part after a line-end hyphen is not a word of its own


class Kind(enum.Enum):
    """What a line (and a paragraph) is to the page."""

    TEXT = "text"
    BLANK = "blank"
    CHROME = "chrome"  # site furniture: dropped, ends a block
    MORE = "more"  # "Read more »": ends a teaser
    RELATED = "related"  # "Similar News: ...", "Related stories": a list of other stories follows
    TEASER = "teaser"  # a headline glued to a dateline: another story's teaser starts here


_MARKS = frozenset({Kind.MORE, Kind.RELATED})


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the page as sent (indent kept), and what it is."""

    text: str
    kind: Kind = Kind.TEXT


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of text (``TEXT`` or ``TEASER``), or a ``MORE`` / ``RELATED`` mark kept for the teaser rules."""

    text: str
    kind: Kind = Kind.TEXT


class Wrap(enum.Enum):
    """How the lines of a block make paragraphs."""

    FLAT = "flat"  # each line a paragraph
    WRAPPED = "wrapped"  # lines are pieces of paragraphs
    UNKNOWN = "unknown"  # too few lines to tell


@dataclass(frozen=True, slots=True)
class _Layout:
    wrap: Wrap
    width: int = 0


def paragraphs(lines: list[Line]) -> list[Paragraph]:
    """Paragraphs in page order, with the ``MORE`` and ``RELATED`` marks between them; chrome and blank lines go."""
    blocks: list[list[Line]] = []
    current: list[Line] = []
    marks: dict[int, list[Paragraph]] = {}  # block index -> marks after it
    spaced = False  # a blank line stands between two text lines somewhere: a blank-line layout
    seen_text = pending_blank = False
    for line in lines:
        if line.kind in {Kind.TEXT, Kind.TEASER}:
            if line.kind is Kind.TEASER and current:
                blocks.append(current)
                current = []
            current.append(line)
            spaced = spaced or (pending_blank and seen_text)
            seen_text, pending_blank = True, False
            continue
        if current:
            blocks.append(current)
            current = []
        if line.kind is Kind.BLANK:
            pending_blank = True
        elif line.kind in _MARKS:
            marks.setdefault(len(blocks) - 1, []).append(Paragraph(line.text, line.kind))
    if current:
        blocks.append(current)
    whole = _judge([[line.text for line in block] for block in blocks])
    out: list[Paragraph] = list(marks.get(-1, ()))
    for number, block in enumerate(blocks):
        layout = _judge([[line.text for line in block]]) if len(block) > _MIN_LINES_TO_JUDGE else _Layout(Wrap.UNKNOWN)
        if layout.wrap is Wrap.UNKNOWN:
            layout = whole
        out.extend(_block_paragraphs(block, layout, spaced=spaced))
        out.extend(marks.get(number, ()))
    return out


def _judge(blocks: list[list[str]]) -> _Layout:
    """Read the layout off the lines that are not the last of their block (a paragraph's last line is short and
    ends a sentence whatever the layout)."""
    pairs = [(line.rstrip(), after) for block in blocks for line, after in itertools.pairwise(block) if line.strip()]
    lengths = sorted(len(line.expandtabs()) for line, _ in pairs)
    width = lengths[int(_WIDTH_QUANTILE * (len(lengths) - 1))] if lengths else 0
    if len(pairs) < _MIN_LINES_TO_JUDGE:
        return _Layout(Wrap.UNKNOWN, width)
    open_ended = [(line, after) for line, after in pairs if line[-1] not in _ENDS_SENTENCE]
    mid_sentence = len(open_ended) / len(pairs)
    if mid_sentence <= _FLAT_SHARE:
        return _Layout(Wrap.FLAT)
    if mid_sentence < _WRAPPED_SHARE:
        return _Layout(Wrap.UNKNOWN, width)
    every = [len(line.rstrip().expandtabs()) for block in blocks for line in block if line.strip()]
    over = sum(1 for length in every if length > _OVER_WIDTH * width) / len(every)  # a paragraph's last line too
    # Greedy wrapping breaks a sentence only where the next word would not fit; lines that stop mid-sentence
    # with room to spare are a table or a list, and wrapped text never runs past its width (but for a URL).
    full = sum(1 for line, after in open_ended if len(line.expandtabs()) + 1 + _first_word(after) > width)
    wrapped = full / len(open_ended) >= _FULL_SHARE and over <= _OVER_SHARE and width >= _MIN_WRAP_WIDTH
    return _Layout(Wrap.WRAPPED if wrapped else Wrap.UNKNOWN, width)


def _first_word(line: str) -> int:
    words = line.split(maxsplit=1)
    return len(words[0]) if words else 0


def _block_paragraphs(block: list[Line], layout: _Layout, *, spaced: bool) -> list[Paragraph]:
    indents = [_indent(line.text) for line in block]
    base = min(indents)
    deeper = sum(1 for indent in indents if indent > base)
    # Indented paragraph starts are read in wrapped text, and in text too mixed to judge (a results table of
    # one-line paragraphs between wrapped ones) when the lines at the base indent read as continuations.
    indented = deeper > 0 and (
        layout.wrap is Wrap.WRAPPED or (layout.wrap is Wrap.UNKNOWN and _continuations(block, indents, base))
    )
    out: list[Paragraph] = []
    pieces: list[str] = []
    kind = block[0].kind
    previous = ""
    for line, indent in zip(block, indents, strict=True):
        text = line.text.strip()
        if pieces and _starts_paragraph(previous, text, layout, starts_indented=indented and indent > base,
                                        indented=indented, spaced=spaced):  # fmt: skip
            out.append(Paragraph(_joined(pieces), kind))
            pieces, kind = [], Kind.TEXT
        pieces.append(text)
        previous = line.text.rstrip()
    if pieces:
        out.append(Paragraph(_joined(pieces), kind))
    return [paragraph for paragraph in out if paragraph.text]


def _continuations(block: list[Line], indents: list[int], base: int) -> bool:
    """Most lines at the base indent follow a line that stopped mid-sentence (as wrapped lines do), and more than
    one line starts deeper: the indents mark paragraph starts, not a stray space before a list item."""
    follows = [
        block[n - 1].text.rstrip()[-1:] not in _ENDS_SENTENCE for n in range(1, len(block)) if indents[n] == base
    ]
    starts = sum(1 for indent in indents if indent > base)
    return starts >= 2 and bool(follows) and sum(follows) / len(follows) >= _WRAPPED_SHARE


def _starts_paragraph(
    previous: str, text: str, layout: _Layout, *, starts_indented: bool, indented: bool, spaced: bool
) -> bool:
    ends_sentence = previous[-1] in _ENDS_SENTENCE
    if layout.wrap is Wrap.FLAT:
        return True
    if indented:
        return starts_indented
    if layout.wrap is Wrap.WRAPPED:
        # Greedy wrapping only ends a line early where a paragraph ends: the next word would have fitted.
        early = len(previous.expandtabs()) + 1 + _first_word(text) <= layout.width
        return early and (ends_sentence or _LIST_ITEM.match(text) is not None)
    if _LIST_ITEM.match(text):
        return True
    # Too mixed to judge: a line goes on in the next only if it stopped mid-sentence where the next word would not
    # have fitted (as a wrapped line does; a list item or a heading stops short) and something says it goes on.
    last_word = previous.rsplit(maxsplit=1)[-1]
    full = len(previous.expandtabs()) + 1 + _first_word(text) > layout.width
    continues = (
        not ends_sentence
        and full
        and (spaced or text[:1].islower() or previous[-1] in _CONTINUES or last_word in _FUNCTION_WORDS)
    )
    return not continues


def _indent(text: str) -> int:
    return len(text.expandtabs()) - len(text.expandtabs().lstrip())


def _joined(pieces: list[str]) -> str:
    joined = pieces[0]
    for piece in pieces[1:]:
        joined = _join_pair(joined, piece)
    return squash_spaces(joined)


def _join_pair(left: str, right: str) -> str:
    """``left`` and ``right`` as one line; a hyphen at a line end inside a word stays unless it split a word
    ("govern-" "ment"), which the word lists tell ("well-" "known" keeps it, "e-" "mail" too)."""
    if len(left) >= 2 and left[-1] == "-" and left[-2].isalnum() and right[:1].isalnum():
        head = left[:-1].rsplit(maxsplit=1)[-1]
        tail = right.split(maxsplit=1)[0]
        if "-" not in head and _splits_a_word(head, tail):
            return left[:-1] + right
        if tail in _SUSPENDED_BEFORE:
            return f"{left} {right}"  # a suspended hyphen: "cream cheese- or mayonnaise-based"
        return left + right
    if unspaced(left[-1:]) and unspaced(right[:1]):
        return left + right  # Chinese and Japanese are written without spaces: a line break inside them is no space
    return f"{left} {right}"


@lru_cache(maxsize=4_096)  # bounded: the pairs come from input
def _splits_a_word(head: str, tail: str) -> bool:
    tail_word = tail.rstrip(".,;:!?\"')")
    if not head.isalpha() or not tail_word.isalpha() or not tail_word.islower():
        return False
    whole = (head + tail_word).lower()
    return (
        wordfreq.zipf_frequency(whole, "en") >= _COMMON_WORD_ZIPF
        and wordfreq.zipf_frequency(tail_word, "en") < _PART_WORD_ZIPF
    )
