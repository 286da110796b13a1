"""How common a word is in English (wordfreq's Zipf scale), memoised: the rules ask about the same few thousand
words in every article, and each wordfreq call tokenises and normalises its argument again."""

from __future__ import annotations

import functools

import wordfreq


@functools.lru_cache(maxsize=65_536)
def zipf(word: str) -> float:
    """``wordfreq.zipf_frequency(word, "en")``: the caller lower-cases, as wordfreq's own lists are."""
    return wordfreq.zipf_frequency(word, "en")
