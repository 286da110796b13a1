"""Repeated paragraphs: the same lede twice (exact or near-exact) keeps its first copy."""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Callable

_WORD = re.compile(r"[^\W_]+")
_NEAR_JACCARD = 0.9
_MIN_WORDS_FOR_NEAR = 6
_MAX_PREFIX_WORDS = 8  # words of a paragraph looked up (its rarest in the document)
_MAX_POSTINGS = 8  # paragraphs remembered per word: the first ones (a repeated lede repeats an early paragraph)
_MAX_CANDIDATES = 16  # paragraphs compared with each paragraph, at most


def drop_repeats(paragraphs: list[str], *, comparable: Callable[[str], str] = str) -> list[str]:
    """Keep each paragraph unless an earlier one has the same words (or, for six words or more, a word-set
    Jaccard similarity of at least 0.9).

    Near-repeats are found by prefix filtering: two sets with Jaccard >= t share at least one of the first
    ``|A| - ceil(t * |A|) + 1`` words of each, in any fixed order. The order here is rarest in the document
    first, so the words looked up are the telling ones, and every step is bounded (words looked up per
    paragraph, paragraphs remembered per word, comparisons per paragraph): the work is linear in the text's
    length whatever its shape. The bounds can only miss a near-repeat among many similar paragraphs; exact
    repeats are always found. Paragraphs are compared as ``comparable`` gives them.
    """
    words = [_WORD.findall(comparable(paragraph).lower()) for paragraph in paragraphs]
    bags = [frozenset(found) for found in words]
    frequency = Counter(word for bag in bags for word in bag)
    kept: list[str] = []
    seen_keys: set[str] = set()
    kept_bags: list[frozenset[str]] = []
    postings: dict[str, list[int]] = {}
    for paragraph, found, bag in zip(paragraphs, words, bags, strict=True):
        key = " ".join(found)
        if not key or key in seen_keys:
            continue
        prefix = _prefix(bag, frequency) if len(bag) >= _MIN_WORDS_FOR_NEAR else []
        if _near_repeat(bag, prefix, postings, kept_bags):
            continue
        seen_keys.add(key)
        kept.append(paragraph)
        for word in prefix:
            held = postings.setdefault(word, [])
            if len(held) < _MAX_POSTINGS:
                held.append(len(kept_bags))
        kept_bags.append(bag)
    return kept


def _near_repeat(
    bag: frozenset[str], prefix: list[str], postings: dict[str, list[int]], kept: list[frozenset[str]]
) -> bool:
    candidates: dict[int, None] = {}
    for word in prefix:
        for position in postings.get(word, ()):
            candidates[position] = None
            if len(candidates) >= _MAX_CANDIDATES:
                break
        if len(candidates) >= _MAX_CANDIDATES:
            break
    size = len(bag)
    for position in candidates:
        other = kept[position]
        if _NEAR_JACCARD * size <= len(other) <= size / _NEAR_JACCARD and _jaccard(bag, other) >= _NEAR_JACCARD:
            return True
    return False


def _prefix(bag: frozenset[str], frequency: Counter[str]) -> list[str]:
    size = min(len(bag) - math.ceil(_NEAR_JACCARD * len(bag)) + 1, _MAX_PREFIX_WORDS)
    return heapq.nsmallest(size, bag, key=lambda word: (frequency[word], word))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b)
