"""In-memory twins of the Kafka source and publisher, for unit tests and the offline ``process`` command."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from news_ingest.records import OutputRecord, Partition, SourceRecord


class InMemorySource:
    """Serves a fixed list of records as one consumer that owns every partition in it."""

    def __init__(self, records: Iterable[SourceRecord]) -> None:
        self._pending = list(records)
        self._position = 0
        self.committed: dict[Partition, int] = {}
        self._ends: dict[Partition, int] = {}
        for record in self._pending:
            self._ends[record.tp] = max(self._ends.get(record.tp, 0), record.offset + 1)

    async def fetch(self, *, timeout_ms: int, max_records: int) -> list[SourceRecord]:  # noqa: ARG002
        batch = self._pending[self._position : self._position + max_records]
        self._position += len(batch)
        return batch

    async def commit(self, offsets: Mapping[Partition, int]) -> None:
        self.committed.update(offsets)

    def assignment(self) -> frozenset[Partition]:
        return frozenset(self._ends)

    def highwater(self, tp: Partition) -> int | None:
        return self._ends.get(tp)

    async def caught_up(self) -> bool:
        return self._position >= len(self._pending)

    async def probe(self) -> None:
        return None


class InMemoryPublisher:
    """Keeps every published record in order, per topic; refuses records over ``max_record_bytes`` as a broker
    with that ``max.message.bytes`` would."""

    def __init__(self, *, max_record_bytes: int | None = None) -> None:
        self.records: list[OutputRecord] = []
        self.refused: list[OutputRecord] = []
        self._max_record_bytes = max_record_bytes

    async def publish(self, records: Sequence[OutputRecord]) -> list[int]:
        refused = []
        for n, record in enumerate(records):
            if self._max_record_bytes is not None and record.size_bytes > self._max_record_bytes:
                refused.append(n)
                self.refused.append(record)
            else:
                self.records.append(record)
        return refused

    def on(self, topic: str) -> list[OutputRecord]:
        """The records published to one topic, in publish order."""
        return [record for record in self.records if record.topic == topic]
