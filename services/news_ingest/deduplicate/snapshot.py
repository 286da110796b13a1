"""A replica's copy of the shared index as bytes, so a replica that starts later need not replay the whole log.

Pickle, read back by an unpickler that builds only the index's own classes, numpy arrays and plain
containers (Python's "restricting globals" recipe): whoever can write to the index's Redis can change its
decisions, as before, but cannot make a replica run code.
"""

from __future__ import annotations

import io
import pickle
import time
from collections.abc import Callable

from news_ingest.deduplicate.index import Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex

_KEPT_OUT = ("_clock", "_thresholds")  # the reading replica's own
_BUILTINS = frozenset({"set", "frozenset", "list", "dict", "tuple", "bytes", "bytearray", "int", "float", "str"})
_NUMPY = frozenset({
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"), ("numpy._core.numeric", "_frombuffer"),
})  # fmt: skip


def dump(index: InMemoryDedupIndex) -> bytes:
    state = {name: value for name, value in vars(index).items() if name not in _KEPT_OUT}
    return pickle.dumps(state, protocol=5)


def load(data: bytes, thresholds: Thresholds, *, clock: Callable[[], float] = time.time) -> InMemoryDedupIndex:
    """A copy as ``dump`` saw it, deciding by ``thresholds`` (the group's settings, which every replica shares)."""
    index = InMemoryDedupIndex(thresholds, clock=clock)
    vars(index).update(_Restricted(io.BytesIO(data)).load())
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
