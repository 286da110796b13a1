"""Repeated paragraphs: the same lede twice (exact or near-exact) keeps its first copy."""

from __future__ import annotations

import math
import re
from collections import defaultdict

_WORD = re.compile(r"[^\W_]+")
_NEAR_JACCARD = 0.9
_MIN_WORDS_FOR_NEAR = 6


def drop_repeats(paragraphs: list[str]) -> list[str]:
    """Keep each paragraph unless an earlier one has the same words (or, for six words or more, a word-set
    Jaccard similarity of at least 0.9).

    Near-repeats are found by prefix filtering: two sets with Jaccard >= t share at least one of the first
    ``|A| - ceil(t * |A|) + 1`` words of each, in any fixed order. Indexing only those words keeps the work
    linear in practice instead of comparing every pair of paragraphs.
    """
    kept: list[str] = []
    seen_keys: set[str] = set()
    bags: list[frozenset[str]] = []
    index: dict[str, list[int]] = defaultdict(list)
    for paragraph in paragraphs:
        words = _WORD.findall(paragraph.lower())
        key = " ".join(words)
        if not key or key in seen_keys:
            continue
        bag = frozenset(words)
        prefix = _prefix(bag) if len(bag) >= _MIN_WORDS_FOR_NEAR else ()
        candidates = {position for word in prefix for position in index.get(word, ())}
        if any(_jaccard(bag, bags[position]) >= _NEAR_JACCARD for position in candidates):
            continue
        seen_keys.add(key)
        kept.append(paragraph)
        for word in prefix:
            index[word].append(len(bags))
        bags.append(bag)
    return kept


def _prefix(bag: frozenset[str]) -> list[str]:
    size = len(bag) - math.ceil(_NEAR_JACCARD * len(bag)) + 1
    return sorted(bag)[:size]


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b)
