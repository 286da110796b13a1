"""Repeated paragraphs: the same lede twice (exact or near-exact) keeps its first copy."""

from __future__ import annotations

import re
from collections import deque

_NON_WORD = re.compile(r"[\W_]+")
_NEAR_JACCARD = 0.9
_MIN_WORDS_FOR_NEAR = 6
_LOOKBACK = 64  # compare with this many kept paragraphs at most: bounded work per article


def drop_repeats(paragraphs: list[str]) -> list[str]:
    """Keep each paragraph unless an earlier one has the same words (or 90% of the same, for longer ones)."""
    kept: list[str] = []
    seen_keys: set[str] = set()
    recent: deque[frozenset[str]] = deque(maxlen=_LOOKBACK)
    for paragraph in paragraphs:
        words = _NON_WORD.sub(" ", paragraph.lower()).split()
        key = " ".join(words)
        if not key or key in seen_keys:
            continue
        bag = frozenset(words)
        if len(bag) >= _MIN_WORDS_FOR_NEAR and any(_near(bag, other) for other in recent):
            continue
        kept.append(paragraph)
        seen_keys.add(key)
        recent.append(bag)
    return kept


def _near(a: frozenset[str], b: frozenset[str]) -> bool:
    # Jaccard >= t needs the smaller set to be >= t of the larger: a cheap length test skips most pairs.
    if min(len(a), len(b)) < _NEAR_JACCARD * max(len(a), len(b)):
        return False
    return _jaccard(a, b) >= _NEAR_JACCARD


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0
