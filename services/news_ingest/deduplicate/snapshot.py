"""A replica's copy of the shared index as bytes, so a replica that starts later need not replay the whole log.

Pickle, read back by an unpickler that builds only the index's own classes, numpy arrays and plain
containers (Python's "restricting globals" recipe): whoever can write to the index's Redis can change its
decisions, as before, but cannot make a replica run code. A sealed segment's band lookup (16 bytes per band
key, a third of a sealed article) is left out and sorted again from the signatures when read back: a stable
sort of the same keys in the same row order gives the same arrays.
"""

from __future__ import annotations

import io
import pickle
import time
from collections.abc import Callable

import numpy as np

from news_ingest.deduplicate.index import Thresholds, band_key_rows
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from news_ingest.deduplicate.segment import SortedKeys

_KEPT_OUT = ("_clock", "_thresholds")  # the reading replica's own
_NO_BANDS = SortedKeys(np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64))
_BUILTINS = frozenset({"set", "frozenset", "list", "dict", "tuple", "bytes", "bytearray", "int", "float", "str"})
_NUMPY = frozenset({
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
})  # fmt: skip


def dump(index: InMemoryDedupIndex) -> bytes:
    state = {name: value for name, value in vars(index).items() if name not in _KEPT_OUT}
    segments = index.sealed_segments()
    held = [segment.bands for segment in segments]
    try:
        for segment in segments:
            segment.bands = _NO_BANDS
        return pickle.dumps(state, protocol=5)
    finally:
        for segment, bands in zip(segments, held, strict=True):
            segment.bands = bands


def load(data: bytes, thresholds: Thresholds, *, clock: Callable[[], float] = time.time) -> InMemoryDedupIndex:
    """A copy as ``dump`` saw it, deciding by ``thresholds`` (the group's settings, which every replica shares)."""
    index = InMemoryDedupIndex(thresholds, clock=clock)
    vars(index).update(_Restricted(io.BytesIO(data)).load())
    for segment in index.sealed_segments():
        if segment.signatures.size:  # else thinned, or decisions only: no band keys
            keys = band_key_rows(segment.signatures, segment.ledes, thresholds.bands)
            rows = np.repeat(np.arange(keys.shape[0], dtype=np.int64), keys.shape[1])
            segment.bands = SortedKeys(keys.reshape(-1), rows)
    return index


class _Restricted(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> type:
        if module == "builtins" and name in _BUILTINS:
            return super().find_class(module, name)  # type: ignore[no-any-return]
        if (module, name) in _NUMPY:
            return super().find_class(module, name)  # type: ignore[no-any-return]
        if module.startswith(("news_ingest.deduplicate.", "news_ingest.models")):
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise pickle.UnpicklingError(f"a dedup snapshot holds no {module}.{name}")
