"""Salient terms: an article's most telling words, TF-IDF-weighted with a fixed, shipped word-frequency table.

The inverse document frequency comes from wordfreq's frequency lists instead of counts over the stream, so
every replica weighs every word the same from its first article, with no shared state and no warm-up.
Terms are word ids (``sketch.words``), so the text is tokenised once for shingles and terms alike.

An article's story vector (``story_terms``) blends three views of it, each a unit vector of its own terms:
the whole text (title and first 400 words), the names in it (capitalised words that do not open a
sentence), and the title with the lede. A story is one event, and what tells two events about the same
people apart is who else is named and what the lede says happened; the body's background is shared. Each
view's term ids carry the view in their top bits, so one cosine over the blend is the views' cosines
weighted by ``_SHARES`` (squared weights: the blend stays unit length).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import numpy.typing as npt
import wordfreq

from news_ingest.deduplicate.sketch import MAX_TEXTS, Words, flat_words, words_of

Terms = tuple[tuple[bytes, float], ...]  # (8-byte term id, weight), unit length, heaviest first

_OWNER_BITS = np.uint64(MAX_TEXTS.bit_length() - 1)  # a batch's text index, packed below a term id
_OWNER_MASK = np.uint64(MAX_TEXTS - 1)
_RANKS = 1_000.0  # more than any weight: 7.5 * (1 + ln 400) = 52.4
_TABLE_WORDS = 200_000  # the commonest words per language; rarer ones (zipf under ~1.4) weigh as unknown words
_MAX_WORDS = 400  # the title and lede carry the story; a cap bounds the work per article
_MIN_LENGTH = 3
_VIEW_SHIFT = np.uint64(60)  # term ids are 52 bits: the bits above say which view of the article a term is from
WHOLE, NAMES, LEDE = 0, 1, 2
# How much each view counts in the blend: tuned on ECB+'s odd topics (docs/deduplicate.md).
_SHARES = {WHOLE: 0.45, NAMES: 0.35, LEDE: 0.2}
NAME_TERMS = 15
# Under this many words a text is a headline or a brief: its capitals are title case, not names. It keeps the
# whole-text and lede views (the same words), so that it still meets a long write-up of its event on both.
_BLEND_WORDS = 30
LEDE_TERMS = 15
_LEDE_WORDS = 60
_NAME_CHARACTERS = 4000  # the names of the first 400 words or so, as the whole view reads
# A capitalised word (with a lower-case letter: not a headline in capitals) that does not open the text, a
# line or a sentence. Latin letters only; other scripts give no names and the blend leans on the other views.
_NAME = re.compile(  # the look-ahead first: most positions fail on it before the look-behinds are tried (2.7x)
    r"(?=[A-Z\u00c0-\u00d6\u00d8-\u00de])(?<!^)(?<!\n)(?<![.!?]\s)(?<![.!?][\"'\u201d\u2019]\s)"
    r"\b[A-Z\u00c0-\u00d6\u00d8-\u00de][\w'\u2019-]*[a-z\u00df-\u00f6\u00f8-\u00ff][\w'\u2019-]*"
)
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


@dataclass(frozen=True, slots=True)
class _Table:
    """Word id -> weight: ids sorted, for one vectorised binary search per batch."""

    ids: npt.NDArray[np.uint64]
    weights: npt.NDArray[np.float64]

    def weigh(self, ids: npt.NDArray[np.uint64]) -> npt.NDArray[np.float64]:
        """Each id's weight; a word missing from the list (a name, a rare word) weighs the most."""
        at = np.minimum(np.searchsorted(self.ids, ids), self.ids.size - 1)
        return np.where(self.ids[at] == ids, self.weights[at], _CEILING)


@cache  # one per wordfreq language met (42 at most), never rebuilt: ~3 MB each
def _table(language: str) -> _Table:
    """7.5 - zipf floored at 0.5 per listed word, stop words 0. Words are keyed by the id ``sketch.words`` gives
    them, so a text is tokenised once. Built from wordfreq's frequency buckets (commonest first) with array
    operations rather than through its word -> frequency dict, which is slower to build from."""
    buckets = wordfreq.get_frequency_list(language)
    listed = list(itertools.islice(itertools.chain.from_iterable(buckets), _TABLE_WORDS))
    sizes = np.fromiter(map(len, buckets), dtype=np.int64, count=len(buckets))
    bucket = np.repeat(np.arange(len(buckets)), sizes)[: len(listed)]
    frequencies = np.array([wordfreq.cB_to_freq(-index) for index in range(len(buckets))])[bucket]
    ids, _, counts = flat_words(listed)
    single = counts == 1  # a list entry our tokeniser would split or empty cannot match a word
    ids = ids[np.repeat(single, counts)] >> _OWNER_BITS
    weights = np.maximum(_FLOOR, _CEILING - np.log10(frequencies[single] * 1e9))
    ids, first = np.unique(ids, return_index=True)  # sorted; the commonest spelling of an id wins
    stops = flat_words(_STOP_WORDS.split())[0] >> _OWNER_BITS
    every = np.union1d(ids, stops)
    table = np.zeros(every.size, dtype=np.float64)
    table[np.searchsorted(every, ids)] = weights[first]
    table[np.searchsorted(every, stops)] = 0.0
    return _Table(every, table)


def preload(language: str = "en") -> None:
    """Build a language's table now rather than in the middle of a batch (about 0.26 s here; any other
    language's table is built the first time an article in it arrives, once per process:
    ``dedup.preload_languages`` lists the ones built at start-up)."""
    _table(supported(language))


@lru_cache(maxsize=1)
def _languages() -> frozenset[str]:
    return frozenset(wordfreq.available_languages())  # reads the package's file list: once, not per article


def supported(language: str | None) -> str:
    """The wordfreq language to weigh words with: the article's own if listed, else English."""
    if language and language in _languages():
        return language
    return "en"


def story_terms(
    titles: Sequence[str],
    bodies: Sequence[str],
    title_words: Sequence[Words],
    body_words: Sequence[Words],
    languages: Sequence[str | None],
    *,
    top: int,
) -> list[Terms]:
    """Each article's story vector: its ``top`` whole-text terms, its names' and its lede's, blended (see the
    module's notes), unit length, heaviest first (ties: smaller id); a body under ``_BLEND_WORDS`` words
    has no names view."""
    whole = salient_terms([t + b for t, b in zip(title_words, body_words, strict=True)], languages, top=top)
    ledes = salient_terms([t + b[:_LEDE_WORDS] for t, b in zip(title_words, body_words, strict=True)], languages,
                          top=LEDE_TERMS, view=LEDE)  # fmt: skip
    named = words_of([" ".join(_NAME.findall(f"{title}\n{body[:_NAME_CHARACTERS]}"))
                      for title, body in zip(titles, bodies, strict=True)])  # fmt: skip
    names = salient_terms(named, languages, top=NAME_TERMS, view=NAMES)
    return [_blend(whole, names if body.ids.size >= _BLEND_WORDS else (), lede)
            for whole, names, lede, body in zip(whole, names, ledes, body_words, strict=True)]  # fmt: skip


def view_of(term: bytes) -> int:
    """Which view of the article a term id is from (``WHOLE``, ``NAMES`` or ``LEDE``)."""
    return term[0] >> 4


def _blend(whole: Terms, names: Terms, lede: Terms) -> Terms:
    views = [(view, terms) for view, terms in ((WHOLE, whole), (NAMES, names), (LEDE, lede)) if terms]
    total = sum(_SHARES[view] for view, _ in views)  # a view with no terms (no names) leaves its share to the rest
    digests = [digest for _, terms in views for digest, _ in terms]
    weights = [weight * math.sqrt(_SHARES[view] / total) for view, terms in views for _, weight in terms]
    blended = list(zip(digests, single_precision(weights), strict=True))
    blended.sort(key=lambda term: (-term[1], term[0]))
    return tuple(blended)


def single_precision(weights: Sequence[float]) -> list[float]:
    """Weights rounded to the nearest float32: what the shared index's log stores in four bytes each, so every
    replica, and the in-memory backend, scores with the very numbers the log carries."""
    rounded: list[float] = np.asarray(weights, dtype=np.float32).tolist()
    return rounded


def salient_terms(
    texts: Sequence[Words], languages: Sequence[str | None], *, top: int, view: int = WHOLE
) -> list[Terms]:
    """Each text's ``top`` heaviest terms among its first 400 words, unit length, heaviest first (ties: smaller
    id), computed for the whole batch at once. A term's id is its word id's upper 52 bits, with ``view`` in
    the bits above.

    Weight = (1 + log count) * (7.5 - zipf frequency), floored at 0.5; words missing from the list (names,
    rare words) weigh 7.5; stop words and words under three characters are left out.
    """
    if len(texts) > MAX_TEXTS:
        raise ValueError(f"at most {MAX_TEXTS} texts per call")
    firsts = [text[:_MAX_WORDS] for text in texts]
    counts = np.fromiter((text.ids.size for text in firsts), dtype=np.int64, count=len(firsts))
    ids = np.concatenate([text.ids for text in firsts]) if firsts else np.empty(0, dtype=np.uint64)
    owners = np.repeat(np.arange(len(firsts), dtype=np.uint64), counts)
    long_enough = np.concatenate([text.lengths for text in firsts]) >= _MIN_LENGTH if firsts else ids > 0
    # one 64-bit key per word: term id above the text's index, so one sort groups each text's repeats of a term
    packed = np.sort(((ids >> _OWNER_BITS) << _OWNER_BITS | owners)[long_enough])
    if packed.size == 0:
        return [() for _ in texts]
    runs = np.flatnonzero(np.r_[True, packed[1:] != packed[:-1]])
    tf = np.diff(np.r_[runs, packed.size])
    packed = packed[runs]
    terms, owner = packed >> _OWNER_BITS, (packed & _OWNER_MASK).astype(np.int64)
    idf = np.empty(terms.size, dtype=np.float64)
    spoken = np.array([supported(language) for language in languages])
    for language in np.unique(spoken).tolist():
        these = (spoken == language)[owner]
        idf[these] = _table(language).weigh(terms[these])  # ``terms`` is sorted: the binary searches stay in cache
    weight = idf * (1.0 + np.log(tf))
    kept = weight > 0
    terms, owner, weight = terms[kept], owner[kept], weight[kept]
    order = np.argsort(owner * _RANKS - weight, kind="stable")  # by text, heaviest first; ties stay in id order
    terms, owner, weight = terms[order], owner[order], weight[order]
    starts = np.searchsorted(owner, np.arange(len(texts) + 1))
    chosen = np.arange(owner.size) - starts[owner] < top
    terms, owner, weight = terms[chosen], owner[chosen], weight[chosen]
    norms = np.sqrt(np.bincount(owner, weights=weight * weight, minlength=len(texts)))
    # each id's 8 big-endian bytes as ``bytes``, made in C
    keys = (terms | (np.uint64(view) << _VIEW_SHIFT)).astype(">u8").view("V8").tolist()
    pairs = list(zip(keys, (weight / norms[owner]).tolist(), strict=True))
    cuts = np.searchsorted(owner, np.arange(len(texts) + 1)).tolist()
    return [tuple(pairs[cuts[n] : cuts[n + 1]]) for n in range(len(texts))]
