"""A sealed generation of the in-memory dedup index: its articles and decisions packed into numpy arrays.

Once the window has moved past a generation, its entries only need to be found, never changed, so they
leave the index's dictionaries (about 100 bytes per band key, 300 per sketch as Python objects) for sorted
arrays searched once per consumer batch: 12 bytes per band key, 256 per sketch. Strings that must be
matched exactly (URL, content hash, source offset, article id) are kept as 64-bit hashes; collisions are
negligible (about 1 in 2**64 per pair) and can only make two different strings look equal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from news_ingest.deduplicate.index import Decision
from news_ingest.models import DedupMethod, DedupStatus

Keys = npt.NDArray[np.uint64]
Rows = npt.NDArray[np.int64]

_STATUSES = list(DedupStatus)
_METHODS: list[DedupMethod | None] = [None, *DedupMethod]


def key(text: str) -> int:
    """A string's 64-bit lookup key."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def keys(texts: Sequence[str]) -> Keys:
    return np.fromiter(map(key, texts), dtype=np.uint64, count=len(texts))


@dataclass(frozen=True, slots=True)
class Packed:
    """Articles as rows (in insertion order) and decisions as rows, before they are indexed."""

    article_ids: list[str]
    cluster_ids: list[str]
    sequence: npt.NDArray[np.int64]  # insertion order across the whole index: the first copy wins
    signatures: npt.NDArray[np.uint32]
    ledes: npt.NDArray[np.uint32]
    shingle_counts: npt.NDArray[np.int32]
    band_keys: Keys  # (rows, keys per article)
    urls: Keys
    contents: Keys
    sources: list[str]
    decisions: list[Decision]


class SortedKeys:
    """Sorted keys and the row each came from; ties in key keep the order rows were given."""

    def __init__(self, keys: Keys, rows: Rows) -> None:
        order = np.argsort(keys, kind="stable")
        self.keys, self.rows = keys[order], rows[order]

    def first(self, queries: Keys) -> Rows:
        """The first row with each query's key, or -1."""
        if self.keys.size == 0:
            return np.full(queries.size, -1, dtype=np.int64)
        at = np.searchsorted(self.keys, queries)
        found = at < self.keys.size
        found[found] = self.keys[at[found]] == queries[found]
        return np.where(found, self.rows[np.minimum(at, self.keys.size - 1)], -1)

    def every(self, queries: Keys, *, most: int = 0) -> tuple[Rows, Rows]:
        """All (query index, row) pairs whose keys are equal, grouped by query; with ``most``, per query only
        the first row of its key and the last ``most - 1`` (rows of one key are in insertion order). Two
        binary searches per query (run in sorted query order, so they walk the keys in one direction and stay
        in cache) give the run of equal keys; a key held by many rows costs no more passes than one held by one."""
        if self.keys.size == 0 or queries.size == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
        order = np.argsort(queries)
        low, high = np.empty_like(order), np.empty_like(order)
        low[order] = np.searchsorted(self.keys, queries[order], side="left")
        high[order] = np.searchsorted(self.keys, queries[order], side="right")
        counts = high - low
        kept = np.minimum(counts, most) if most else counts
        query = np.repeat(np.arange(queries.size), kept)
        ends = np.cumsum(kept)
        step = np.arange(query.size) - np.repeat(ends - kept, kept)  # 0, 1, ... within each query's rows
        at = np.repeat(low, kept) + step
        if most:  # past the first row, the run's last rows: high - most + step for step in 1 .. most - 1
            cut = (step > 0) & (np.repeat(counts, kept) > most)
            at[cut] = (np.repeat(high, kept) - most + step)[cut]
        return query, self.rows[at]

    def merged(self, other: SortedKeys, *, offset: int) -> SortedKeys:
        """These keys and ``other``'s, whose rows follow this one's ``offset`` rows: as if built from both."""
        return SortedKeys(np.concatenate((self.keys, other.keys)), np.concatenate((self.rows, other.rows + offset)))

    @property
    def nbytes(self) -> int:
        return int(self.keys.nbytes + self.rows.nbytes)


class Segment:
    """Articles and decisions sealed together, read-only but for ``live``. A generation is sealed once the
    window moves past it; articles that arrive late for it are sealed later into a segment of their own."""

    def __init__(self, packed: Packed) -> None:
        rows = np.arange(len(packed.article_ids), dtype=np.int64)
        self.live = True  # False once its generation expired
        self.size = len(packed.article_ids)
        self.article_ids = np.array([a.encode() for a in packed.article_ids], dtype=np.bytes_)
        self.cluster_ids = np.array([c.encode() for c in packed.cluster_ids], dtype=np.bytes_)
        self.sequence = packed.sequence
        self.signatures, self.ledes, self.shingle_counts = packed.signatures, packed.ledes, packed.shingle_counts
        self.bands = SortedKeys(packed.band_keys.reshape(-1), np.repeat(rows, packed.band_keys.shape[1]))
        self.ids = SortedKeys(keys(packed.article_ids), rows)
        self.urls = SortedKeys(packed.urls, rows)
        self.contents = SortedKeys(packed.contents, rows)
        self.sources = SortedKeys(keys(packed.sources), np.arange(len(packed.sources), dtype=np.int64))
        decisions = packed.decisions
        self._status = np.array([_STATUSES.index(d.status) for d in decisions], dtype=np.uint8)
        self._method = np.array([_METHODS.index(d.method) for d in decisions], dtype=np.uint8)
        self._similarity = np.array([np.nan if d.similarity is None else d.similarity for d in decisions],
                                    dtype=np.float64)  # fmt: skip
        self._duplicate_of = np.array([(d.duplicate_of or "").encode() for d in decisions], dtype=np.bytes_)
        self._cluster = np.array([d.cluster_id.encode() for d in decisions], dtype=np.bytes_)

    @property
    def held(self) -> int:
        """Articles and decisions together: a segment of late exact copies holds decisions and no article."""
        return self.size + int(self._status.size)

    @classmethod
    def merged(cls, first: Segment, second: Segment) -> Segment:
        """One segment holding both, ``first``'s rows first: it answers every lookup as the two did together
        (``second``'s articles came later, so the first row with a URL or hash is still the earliest copy).
        Articles arriving late for an old generation seal into small segments batch after batch; merging them
        keeps a batch's lookups to a few segments per generation."""
        merged = cls.__new__(cls)
        merged.live = first.live and second.live
        merged.size = first.size + second.size
        for name in ("article_ids", "cluster_ids", "sequence", "signatures", "ledes", "shingle_counts", "_status",
                     "_method", "_similarity", "_duplicate_of", "_cluster"):  # fmt: skip
            setattr(merged, name, _joined(getattr(first, name), getattr(second, name)))
        for name in ("bands", "ids", "urls", "contents"):
            setattr(merged, name, getattr(first, name).merged(getattr(second, name), offset=first.size))
        merged.sources = first.sources.merged(second.sources, offset=first._status.size)
        return merged

    def thin(self) -> None:
        """Behind the sketch window: drop the sketches and band keys (about 90% of the bytes); exact lookups
        (id, URL, content hash, source offset) and decisions stay until the exact window passes too."""
        empty = np.empty(0, dtype=np.int64)
        self.bands = SortedKeys(empty.astype(np.uint64), empty)
        self.signatures, self.ledes = self.signatures[:0], self.ledes[:0]
        self.shingle_counts = self.shingle_counts[:0]

    def decision(self, row: int) -> Decision:
        """The decision remembered in ``row`` (of the sources), exactly as it was made."""
        similarity = float(self._similarity[row])
        return Decision(
            status=_STATUSES[int(self._status[row])],
            duplicate_of=self._duplicate_of[row].decode() or None,
            cluster_id=self._cluster[row].decode(),
            similarity=None if np.isnan(similarity) else similarity,
            method=_METHODS[int(self._method[row])],
        )

    def article_id(self, row: int) -> str:
        return str(self.article_ids[row].decode())

    def cluster_id(self, row: int) -> str:
        return str(self.cluster_ids[row].decode())

    @property
    def nbytes(self) -> int:
        arrays = (self.article_ids, self.cluster_ids, self.sequence, self.signatures, self.ledes,
                  self.shingle_counts, self._status, self._method, self._similarity, self._duplicate_of,
                  self._cluster)  # fmt: skip
        lookups = (self.bands, self.ids, self.urls, self.contents, self.sources)
        return sum(int(array.nbytes) for array in arrays) + sum(lookup.nbytes for lookup in lookups)


def _joined(first: npt.NDArray[Any], second: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Rows of both; an empty side is left out (a segment without articles has 1-d, not (0, bins), sketches)."""
    if not first.size:
        return second
    if not second.size:
        return first
    return np.concatenate((first, second))
