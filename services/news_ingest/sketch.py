"""Text sketches for near-duplicate search: stable word-shingle hashes and MinHash signatures (numpy)."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from news_ingest.text import WORD_EDGES

Hashes = npt.NDArray[np.uint64]
_CHUNK = 65_536  # shingles per permutation matrix (x permutations x 8 bytes: 32 MiB at 64)
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
    """Whitespace-separated words, lower-cased, punctuation at their edges and a possessive 's stripped
    (splitting at inner punctuation as well was measured: no faster, and worse on held-out story data)."""
    found = [raw.strip(WORD_EDGES).removesuffix("'s") for raw in text.lower().split()]
    ids = np.array(list(map(zlib.crc32, map(str.encode, found))), dtype=np.uint64)
    lengths = np.array(list(map(len, found)), dtype=np.int64)
    kept = lengths > 0  # a "word" that was only punctuation
    return Words(ids[kept], lengths[kept])


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


def shingle_sets(id_lists: Sequence[Hashes], *, words: int) -> tuple[Hashes, npt.NDArray[np.int64]]:
    """``shingle_hashes`` of many texts at once: every text's distinct hashes, sorted, concatenated, and the
    offset where each text's hashes start (one more than the texts, the last being the total)."""
    lengths = np.fromiter((ids.size for ids in id_lists), dtype=np.int64, count=len(id_lists))
    flat = np.concatenate(id_lists) if id_lists else np.empty(0, dtype=np.uint64)
    ends = np.cumsum(lengths)
    count = max(int(flat.size) - words + 1, 0)
    with np.errstate(over="ignore"):
        mixed = np.zeros(count, dtype=np.uint64)
        for offset in range(words):
            mixed += flat[offset : offset + count] * _MIX[offset % len(_MIX)]
    texts = np.repeat(np.arange(len(id_lists), dtype=np.int64), lengths)[:count]
    inside = np.arange(count) + words <= ends[texts]  # windows that do not run into the next text
    hashes, owners = [mixed[inside]], [texts[inside]]
    for short in np.flatnonzero((lengths > 0) & (lengths < words)).tolist():  # fewer words than a shingle
        hashes.append(shingle_hashes(id_lists[short], words=words))
        owners.append(np.full(1, short, dtype=np.int64))
    flat_hashes, flat_owners = np.concatenate(hashes), np.concatenate(owners)
    order = np.lexsort((flat_hashes, flat_owners))
    flat_hashes, flat_owners = flat_hashes[order], flat_owners[order]
    distinct = np.ones(flat_hashes.size, dtype=bool)
    distinct[1:] = (flat_hashes[1:] != flat_hashes[:-1]) | (flat_owners[1:] != flat_owners[:-1])
    flat_hashes, flat_owners = flat_hashes[distinct], flat_owners[distinct]
    offsets = np.searchsorted(flat_owners, np.arange(len(id_lists) + 1)).astype(np.int64)
    return flat_hashes, offsets


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

    def signatures(self, hashes: Hashes, offsets: npt.NDArray[np.int64]) -> npt.NDArray[np.uint32]:
        """``signature`` of many texts at once, from ``shingle_sets``: one row per text."""
        texts = offsets.size - 1
        rows = np.full((texts, self.permutations), np.iinfo(np.uint32).max, dtype=np.uint32)
        first = 0
        while first < texts:  # chunks of about _CHUNK shingles bound the permutation matrix's memory
            last = max(first + 1, int(np.searchsorted(offsets, offsets[first] + _CHUNK, side="right")) - 1)
            last = min(last, texts)
            starts, stops = offsets[first:last], offsets[first + 1 : last + 1]
            filled = np.flatnonzero(stops > starts)
            if filled.size:
                columns = hashes[offsets[first] : offsets[last]]
                with np.errstate(over="ignore"):
                    permuted = self._a[:, None] * columns[None, :] + self._b[:, None]
                smallest = np.minimum.reduceat(permuted, starts[filled] - offsets[first], axis=1)
                rows[first + filled] = (smallest.T >> np.uint64(32)).astype(np.uint32)
            first = last
        return rows


def jaccard(first: npt.NDArray[np.uint32], second: npt.NDArray[np.uint32]) -> float:
    """Estimated Jaccard similarity of the two shingle sets behind two signatures."""
    return float(np.count_nonzero(first == second)) / len(first)


def containment(jaccard_estimate: float, size: int, other_size: int) -> float:
    """Estimated share of the first set contained in the second, from their Jaccard and sizes:
    |A∩B| = J(|A|+|B|)/(1+J), divided by |A|."""
    if size == 0:
        return 0.0
    return min(1.0, jaccard_estimate * (size + other_size) / ((1 + jaccard_estimate) * size))
