"""The seams between the worker and the outside world: where records come from and where outputs go."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from news_ingest.records import OutputRecord, Partition, SourceRecord


class Source(Protocol):
    """A consumer-group member: fetches batches from its assigned partitions and commits offsets."""

    async def fetch(self, *, timeout_ms: int, max_records: int) -> list[SourceRecord]:
        """Up to ``max_records`` records, in offset order per partition; empty when none arrived in time."""
        ...

    async def commit(self, offsets: Mapping[Partition, int]) -> None:
        """Commit the next offset to read per partition; raises ``CommitFailed``."""
        ...

    def assignment(self) -> frozenset[Partition]:
        """The partitions this member owns right now."""
        ...

    def highwater(self, tp: Partition) -> int | None:
        """The partition's end offset as last seen, if known."""
        ...

    async def caught_up(self) -> bool:
        """True when every assigned partition has been read to its end."""
        ...

    async def probe(self) -> None:
        """Ask the cluster something cheap; raises ``BrokerUnavailable`` if it does not answer."""
        ...


class Publisher(Protocol):
    """Publishes output records and returns only once every one of them is acknowledged."""

    async def publish(self, records: Sequence[OutputRecord]) -> list[int]:
        """Send all, await every ack; returns the positions of records refused as too large (every other record
        is acknowledged); raises ``PublishFailed`` if any other record was not acknowledged."""
        ...
