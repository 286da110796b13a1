"""Deduplicate: exact and near-duplicate articles, and story clusters, decided against a window of what was seen.

``stage.Deduplicator`` is the entry point: it sketches a batch (``sketch``, ``terms``) and asks an index.
``index`` is the contract every index backend holds (what it is given, the rules it decides by, what it
answers); ``memory_index`` (one replica; ``segment``, ``copies``, ``stories``, ``multimap``) and
``redis_index`` (many replicas: a log in Redis, ``ledger``, replayed into an in-memory index each) implement it.
"""

from news_ingest.deduplicate.stage import Deduplicator

__all__ = ["Deduplicator"]
