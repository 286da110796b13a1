"""Unicode and whitespace clean-up for article text: mojibake, NFC, invisible characters, quotes, spaces."""

from __future__ import annotations

import re
import unicodedata

import ftfy

# Typical UTF-8-read-as-Latin-1/CP1252 sequences: a cheap gate before the (costly) ftfy repair.
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac|\u00e2\u0080|\u00c3\u00a9|\u00ef\u00bb\u00bf")
# Control characters except tab and newline, plus invisible format characters that carry no meaning in news text.
# Zero-width (non-)joiners (U+200C/U+200D) are kept: Persian, Hindi and emoji sequences need them.
_INVISIBLE = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u00ad\u200b\u2060\ufeff\u200e\u200f]")
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
           "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"'}  # fmt: skip
_QUOTE_CHARS = re.compile("[" + "".join(_QUOTES) + "]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_ODD_SPACE = re.compile(r"[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")  # every space but " "
# Chinese and Japanese characters and punctuation: written without spaces, so a line break between two of them
# is no space (Korean puts spaces between words and is not in here).
UNSPACED = "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_UNSPACED_CHAR = re.compile(f"[{UNSPACED}]")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\u0085]")


def has_mojibake(text: str) -> bool:
    """Cheap check for text that was decoded with the wrong codec."""
    return _MOJIBAKE.search(text) is not None


def clean_unicode(text: str) -> str:
    """Repair mojibake (only when detected), compose to NFC, drop invisible characters, straighten quotes."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.isascii():  # most English wire copy: no mojibake, already NFC, no typographic quotes
        return _INVISIBLE.sub("", text)
    if has_mojibake(text):  # repair only the lines that need it: ftfy costs ~0.2 us per character
        text = "\n".join(
            ftfy.fix_text(line, normalization="NFC") if _MOJIBAKE.search(line) else line for line in text.split("\n")
        )
    text = _LINE_BREAKS.sub("\n", text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text)
    return _QUOTE_CHARS.sub(lambda found: _QUOTES[found.group()], text)


def squash_spaces(line: str) -> str:
    """One space between words, none at the ends."""
    if "  " not in line and not _ODD_SPACE.search(line):
        return line.strip()  # the common case: nothing to squash (a sub would rewrite every space)
    return _SPACES.sub(" ", line).strip()


def unspaced(char: str) -> bool:
    """``char`` is Chinese or Japanese (no spaces between words)."""
    return _UNSPACED_CHAR.fullmatch(char) is not None
