"""Text sketches for near-duplicate search, computed for a whole batch of texts at once with numpy.

words -> stable 64-bit word ids (one vectorised pass over the batch's code points, no per-word Python);
shingles -> hashes of runs of consecutive word ids; signatures -> one-permutation MinHash with optimal
densification (Shrivastava, ICML 2017): every shingle is hashed once and lands in one of ``bins`` bins, where
the smallest value is kept; an empty bin borrows the value of a bin picked by a fixed probe sequence. Two
signatures agree in a bin with probability equal to the Jaccard similarity of the two shingle sets, as with
``bins`` independent permutations, at the cost of one hash per shingle instead of ``bins``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# Punctuation stripped from both ends of a whitespace-separated word before it is hashed or weighed.
WORD_EDGES = "\"'()[]{}<>,.;:!?*#%&/\\|-_=+~`^$@\u00ab\u00bb\u2026\u2013\u2014\u2018\u2019\u201c\u201d"


Hashes = npt.NDArray[np.uint64]
Positions = npt.NDArray[np.int64]
Signatures = npt.NDArray[np.uint32]

EMPTY = np.uint32(0xFFFFFFFF)  # a bin no shingle reached; the whole signature of a text with no words
_OWNER_BITS = 12  # distinct counting packs the text's index above a 52-bit shingle hash
MAX_TEXTS = 1 << _OWNER_BITS  # texts per ``shingles``/``signatures`` call
_PROBES = 64  # densification attempts per empty bin before falling back to the next filled bin
_P = 0x100000001B3  # odd multiplier of the polynomial word hash (mod 2**64)
_P_INVERSE = pow(_P, -1, 2**64)
# Odd 64-bit multipliers that mix consecutive word ids into one shingle hash (wrapping arithmetic).
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                 0xFF51AFD7ED558CCD], dtype=np.uint64)  # fmt: skip

_SPACE, _EDGE = 1, 2
_CLASSES = np.zeros(0x10000, dtype=np.uint8)  # every code point of the Basic Multilingual Plane: word, space, edge
_CLASSES[[c for c in range(0x10000) if chr(c).isspace()]] = _SPACE  # what str.split() splits at
_CLASSES[[ord(c) for c in WORD_EDGES]] = _EDGE
_APOSTROPHE, _S = ord("'"), ord("s")


@dataclass(frozen=True, slots=True)
class Words:
    """A text's words in order, as stable ids (a 64-bit hash of the lower-cased word's code points; the same
    in every process, unlike Python's salted ``hash``, so replicas sharing an index agree) and their lengths."""

    ids: Hashes
    lengths: Positions

    def __add__(self, other: Words) -> Words:
        return Words(np.concatenate((self.ids, other.ids)), np.concatenate((self.lengths, other.lengths)))

    def __getitem__(self, span: slice) -> Words:
        return Words(self.ids[span], self.lengths[span])


class _Powers:
    """P**i and P**-i mod 2**64 for i < size, grown on demand (shared by every call in the process)."""

    def __init__(self) -> None:
        self.up: Hashes = np.ones(1, dtype=np.uint64)
        self.down: Hashes = np.ones(1, dtype=np.uint64)

    def ensure(self, size: int) -> None:
        if size <= self.up.size:
            return
        size = max(size, 2 * self.up.size)
        self.up = np.cumprod(np.r_[np.uint64(1), np.full(size - 1, _P, dtype=np.uint64)], dtype=np.uint64)
        self.down = np.cumprod(np.r_[np.uint64(1), np.full(size - 1, _P_INVERSE, dtype=np.uint64)], dtype=np.uint64)


_POWERS = _Powers()


def mix(values: Hashes) -> Hashes:
    """splitmix64's finaliser: spreads every input bit over the whole 64-bit output."""
    with np.errstate(over="ignore"):
        values = (values ^ (values >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        values = (values ^ (values >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        mixed: Hashes = values ^ (values >> np.uint64(31))
    return mixed


def words_of(texts: Sequence[str]) -> list[Words]:
    """Each text's words: split at whitespace, lower-cased, punctuation at the word's edges and then a
    possessive 's stripped, as ``w.strip(WORD_EDGES).removesuffix("'s")`` would; a word of punctuation only is
    dropped. Lengths count code points. One pass over the batch's code points (no per-word Python)."""
    ids, lengths, counts = flat_words(texts)
    cuts = np.r_[0, np.cumsum(counts)].tolist()
    return [Words(ids[cuts[n] : cuts[n + 1]], lengths[cuts[n] : cuts[n + 1]]) for n in range(len(texts))]


def flat_words(texts: Sequence[str]) -> tuple[Hashes, Positions, Positions]:
    """``words_of`` without the per-text objects: every text's word ids and lengths, concatenated, and how
    many words each text has."""
    lowered = [text.lower() for text in texts]
    joined = "\n".join(lowered)
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    classes = _CLASSES[np.minimum(points, 0xFFFF)]
    classes[points > 0xFFFF] = 0  # beyond the BMP: letters and symbols, never spaces or edges
    core = np.flatnonzero(classes == 0)  # points a word may start or end at
    if core.size == 0:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64), np.zeros(len(texts), dtype=np.int64)
    space = classes == _SPACE
    token = np.cumsum(~space & np.r_[True, space[:-1]])  # which whitespace-separated token each point is in
    tokens = token[core]
    changes = tokens[1:] != tokens[:-1]
    starts = core[np.r_[True, changes]]
    ends = core[np.r_[changes, True]] + 1
    possessive = (ends - starts >= 2) & (points[ends - 1] == _S) & (points[np.maximum(ends - 2, 0)] == _APOSTROPHE)
    ends = ends - 2 * possessive
    _POWERS.ensure(points.size + 1)
    with np.errstate(over="ignore"):
        prefix = np.zeros(points.size + 1, dtype=np.uint64)
        np.cumsum((points.astype(np.uint64) + np.uint64(1)) * _POWERS.up[: points.size], out=prefix[1:])
        ids = mix((prefix[ends] - prefix[starts]) * _POWERS.down[starts])
    lengths = (ends - starts).astype(np.int64)
    bounds = np.cumsum(np.fromiter(map(len, lowered), dtype=np.int64, count=len(lowered)) + 1)  # each text's end
    counts = np.diff(np.r_[0, np.searchsorted(starts, bounds)])
    return ids, lengths, counts


def words(text: str) -> Words:
    """One text's ``words_of``."""
    return words_of([text])[0]


def shingles(id_lists: Sequence[Hashes], *, size: int) -> tuple[Hashes, Positions]:
    """Hashes of every run of ``size`` consecutive word ids in each text (a text with fewer words gives one
    shingle of all of them), and the index of the text each came from. Repeats are kept."""
    if len(id_lists) > MAX_TEXTS:
        raise ValueError(f"at most {MAX_TEXTS} texts per call")
    lengths = np.fromiter((ids.size for ids in id_lists), dtype=np.int64, count=len(id_lists))
    flat = np.concatenate(id_lists) if id_lists else np.empty(0, dtype=np.uint64)
    windows = np.where(lengths >= size, lengths - size + 1, np.minimum(lengths, 1))  # per text
    owners = np.repeat(np.arange(len(id_lists), dtype=np.int64), windows)
    starts = np.arange(owners.size) - np.repeat(np.cumsum(windows) - windows, windows)  # position in its text
    starts += (np.cumsum(lengths) - lengths)[owners]  # position in ``flat``
    width = np.minimum(lengths, size)[owners]
    hashes = np.zeros(owners.size, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(size):
            used = width > offset
            hashes[used] += flat[starts[used] + offset] * _MIX[offset % len(_MIX)]
    return hashes, owners


def distinct_counts(hashes: Hashes, owners: Positions, texts: int) -> Positions:
    """How many distinct shingles each text has."""
    packed = (owners.astype(np.uint64) << np.uint64(64 - _OWNER_BITS)) | (hashes >> np.uint64(_OWNER_BITS))
    packed.sort()
    first = np.r_[True, packed[1:] != packed[:-1]] if packed.size else np.empty(0, dtype=bool)
    counted = (packed[first] >> np.uint64(64 - _OWNER_BITS)).astype(np.int64)
    return np.bincount(counted, minlength=texts).astype(np.int64)


class OnePermutationHasher:
    """One-permutation MinHash with ``bins`` bins and optimal densification, fixed by ``seed``."""

    def __init__(self, *, bins: int, seed: int = 20_261_125) -> None:
        generator = np.random.default_rng(seed)
        self.bins = bins
        self._salt = np.uint64(int(generator.integers(0, 2**63)))
        self._probes = generator.integers(0, bins, size=(bins, _PROBES), dtype=np.int64)

    def signatures(self, hashes: Hashes, owners: Positions, texts: int) -> Signatures:
        """One row of ``bins`` values per text; a text with no shingles is all ``EMPTY``."""
        hashed = mix(hashes ^ self._salt)
        bins = ((hashed >> np.uint64(32)) * np.uint64(self.bins)) >> np.uint64(32)
        values = np.minimum(hashed & np.uint64(0xFFFFFFFF), np.uint64(EMPTY - 1)).astype(np.uint32)
        raw = np.full(texts * self.bins, EMPTY, dtype=np.uint32)
        np.minimum.at(raw, owners * self.bins + bins.astype(np.int64), values)
        rows = raw.reshape(texts, self.bins)
        return self._densify(rows)

    def _densify(self, rows: Signatures) -> Signatures:
        empty = rows == EMPTY
        words = ~empty.all(axis=1)
        need = empty & words[:, None]
        if not need.any():
            return rows
        dense = rows.copy()
        texts, bins = np.nonzero(need)
        for attempt in range(_PROBES):  # bin b of every text borrows from probe[b, attempt], if that is filled
            donors = self._probes[bins, attempt]
            found = ~empty[texts, donors]
            dense[texts[found], bins[found]] = rows[texts[found], donors[found]]
            texts, bins = texts[~found], bins[~found]
            if texts.size == 0:
                return dense
        for text, bin_ in zip(texts.tolist(), bins.tolist(), strict=True):  # unlucky: the next filled bin
            filled = np.flatnonzero(~empty[text])
            dense[text, bin_] = rows[text, filled[np.searchsorted(filled, bin_) % filled.size]]
        return dense


def jaccard(first: Signatures, second: Signatures) -> float:
    """Estimated Jaccard similarity of the two shingle sets behind two signatures."""
    return float(np.count_nonzero(first == second)) / len(first)


def containment(jaccard_estimate: float, size: int, other_size: int) -> float:
    """Estimated share of the smaller set contained in the larger, from their Jaccard and sizes:
    |A∩B| = J(|A|+|B|)/(1+J), divided by min(|A|, |B|). Symmetric: an abridged copy (the new article inside
    an indexed one) and an extended copy (an indexed one inside the new article) score alike."""
    smaller = min(size, other_size)
    if smaller <= 0:
        return 0.0
    return min(1.0, jaccard_estimate * (size + other_size) / (1 + jaccard_estimate) / smaller)
