"""Repeated paragraphs: the same lede twice (exact or near-exact) keeps its first copy."""

from __future__ import annotations

import re

_WORDS = re.compile(r"\w+")
_NEAR_JACCARD = 0.9
_MIN_WORDS_FOR_NEAR = 6
_LOOKBACK = 64  # compare with this many kept paragraphs at most: bounded work per article


def drop_repeats(paragraphs: list[str]) -> list[str]:
    """Keep each paragraph unless an earlier one has the same words (or 90% of the same, for longer ones)."""
    kept: list[str] = []
    seen_keys: set[str] = set()
    recent: list[frozenset[str]] = []
    for paragraph in paragraphs:
        words = _WORDS.findall(paragraph.lower())
        key = " ".join(words)
        if not key or key in seen_keys:
            continue
        bag = frozenset(words)
        if len(words) >= _MIN_WORDS_FOR_NEAR and any(_jaccard(bag, other) >= _NEAR_JACCARD for other in recent):
            continue
        kept.append(paragraph)
        seen_keys.add(key)
        recent = [*recent[-(_LOOKBACK - 1) :], bag]
    return kept


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0
