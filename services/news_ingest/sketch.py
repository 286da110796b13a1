"""Text sketches for near-duplicate search: stable word-shingle hashes and MinHash signatures (numpy)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from news_ingest.text import WORD_EDGES

Hashes = npt.NDArray[np.uint64]
# Odd 64-bit multipliers that mix consecutive word hashes into one shingle hash (wrapping arithmetic).
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
                 0xFF51AFD7ED558CCD], dtype=np.uint64)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Words:
    """A text's words in order, as stable ids (crc32 of the lower-cased word; the same in every process,
    unlike Python's salted ``hash``, so replicas sharing an index agree) and their lengths in characters."""

    ids: Hashes
    lengths: npt.NDArray[np.int64]

    def __add__(self, other: Words) -> Words:
        return Words(np.concatenate((self.ids, other.ids)), np.concatenate((self.lengths, other.lengths)))


def words(text: str) -> Words:
    """Whitespace-separated words, punctuation at their edges and a possessive 's stripped, lower-cased."""
    found = [raw.strip(WORD_EDGES).removesuffix("'s") for raw in text.lower().split()]
    ids = np.array(list(map(zlib.crc32, map(str.encode, found))), dtype=np.uint64)
    lengths = np.array(list(map(len, found)), dtype=np.int64)
    kept = lengths > 0  # a "word" that was only punctuation
    return Words(ids[kept], lengths[kept])


def word_ids(text: str) -> Hashes:
    return words(text).ids


def shingle_hashes(ids: Hashes, *, words: int) -> Hashes:
    """Distinct 64-bit hashes of every run of ``words`` consecutive word ids."""
    if ids.size == 0:
        return np.empty(0, dtype=np.uint64)
    size = min(words, int(ids.size))
    count = int(ids.size) - size + 1
    with np.errstate(over="ignore"):
        mixed = np.zeros(count, dtype=np.uint64)
        for offset in range(size):
            mixed += ids[offset : offset + count] * _MIX[offset % len(_MIX)]
    return np.unique(mixed)


def shingles(text: str, *, words: int) -> Hashes:
    """Distinct hashes of the text's ``words``-word shingles."""
    return shingle_hashes(word_ids(text), words=words)


class MinHasher:
    """MinHash over shingle hashes with ``permutations`` multiply-shift hash functions, fixed by ``seed``."""

    def __init__(self, *, permutations: int, seed: int = 20_261_125) -> None:
        generator = np.random.default_rng(seed)
        self.permutations = permutations
        self._a = generator.integers(1, 2**63, size=permutations, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        self._b = generator.integers(0, 2**63, size=permutations, dtype=np.uint64)

    def signature(self, hashes: Hashes) -> npt.NDArray[np.uint32]:
        """The smallest permuted hash per function (upper 32 bits); all-ones for an empty text."""
        if hashes.size == 0:
            return np.full(self.permutations, np.iinfo(np.uint32).max, dtype=np.uint32)
        with np.errstate(over="ignore"):
            permuted = self._a[:, None] * hashes[None, :] + self._b[:, None]
        smallest: npt.NDArray[np.uint32] = (permuted.min(axis=1) >> np.uint64(32)).astype(np.uint32)
        return smallest


def jaccard(first: npt.NDArray[np.uint32], second: npt.NDArray[np.uint32]) -> float:
    """Estimated Jaccard similarity of the two shingle sets behind two signatures."""
    return float(np.count_nonzero(first == second)) / len(first)


def containment(jaccard_estimate: float, size: int, other_size: int) -> float:
    """Estimated share of the first set contained in the second, from their Jaccard and sizes:
    |A∩B| = J(|A|+|B|)/(1+J), divided by |A|."""
    if size == 0:
        return 0.0
    return min(1.0, jaccard_estimate * (size + other_size) / ((1 + jaccard_estimate) * size))
