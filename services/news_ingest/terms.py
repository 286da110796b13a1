"""Salient terms: an article's most telling words, TF-IDF-weighted with a fixed, shipped word-frequency table.

The inverse document frequency comes from wordfreq's frequency lists instead of counts over the stream, so
every replica weighs every word the same from its first article, with no shared state and no warm-up.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

import wordfreq

_TOKEN = re.compile(r"[^\W\d_][\w'\-]*[^\W_]|\d[\d,.]*\d|[^\W\d_]{1,2}")
_MAX_WORDS = 400  # the title and lede carry the story; a cap bounds the work per article
_MIN_LENGTH = 3
_CEILING = 7.5  # zipf of the commonest words ("the" is 7.7): the weight of word w is 7.5 - zipf(w)
_FLOOR = 0.5  # the least weight a counted word keeps
# Reporting verbs and function words carry no story, however rare the list says they are.
_STOP_WORDS = (
    "the a an and or but of to in on at for with by from as is are was were be been being it its this that "
    "these those he she they his her their them we our you your i me my said says say told tell will would "
    "could should can may might must has have had having not no yes after before over under about into onto "
    "than then there here which who whom whose what when where why how also just more most other some such "
    "only own same so too very all any both each few many much one two three new last first year years week "
    "day days time times monday tuesday wednesday thursday friday saturday sunday according reported report "
    "reports news "
)
_STOP = frozenset(_STOP_WORDS.split())


@lru_cache(maxsize=8)
def _zipf_table(language: str) -> dict[str, float]:
    """Word -> zipf frequency for one language (about 0.5 s and 30 MB for English, once per process)."""
    return {word: math.log10(frequency * 1e9) for word, frequency in wordfreq.get_frequency_dict(language).items()}


def supported(language: str | None) -> str:
    """The wordfreq language to weigh words with: the article's own if listed, else English."""
    if language and language in wordfreq.available_languages():
        return language
    return "en"


def salient_terms(title: str | None, body: str, *, language: str | None, top: int) -> tuple[tuple[str, float], ...]:
    """The ``top`` heaviest terms of the title and lede as (term, weight), unit length, heaviest first.

    Weight = (1 + log count) * (7.5 - zipf frequency), floored at 0.5; ties go to the term that sorts first,
    so the result is deterministic.
    """
    zipf = _zipf_table(supported(language))
    counts: Counter[str] = Counter()
    for position, match in enumerate(_TOKEN.finditer(f"{title or ''}\n{body}")):
        if position >= _MAX_WORDS:
            break
        term = match.group(0).lower()
        if len(term) >= _MIN_LENGTH and term not in _STOP:
            counts[term] += 1
    weights = {
        term: (1 + math.log(count)) * max(_FLOOR, _CEILING - zipf.get(term, 0.0))  # unlisted: names, rare words
        for term, count in counts.items()
    }
    heaviest = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:top]
    norm = math.sqrt(sum(weight * weight for _, weight in heaviest)) or 1.0
    return tuple((term, weight / norm) for term, weight in heaviest)
