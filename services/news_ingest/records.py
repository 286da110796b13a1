"""What flows through the worker: consumed records in, pipeline outcomes, and output records to publish."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

from news_ingest.models import EnrichedArticle, Outcome, RejectedRecord

Headers = tuple[tuple[str, bytes], ...]


class Partition(NamedTuple):
    """A topic partition, independent of any Kafka client library."""

    topic: str
    partition: int


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One consumed message, exactly as the broker delivered it."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers = ()
    timestamp_ms: int | None = None

    @property
    def tp(self) -> Partition:
        return Partition(self.topic, self.partition)


@dataclass(frozen=True, slots=True)
class Enriched:
    """Outcome: a new or near-duplicate article, published on the enriched topic."""

    article: EnrichedArticle
    outcome: ClassVar[Outcome] = Outcome.ENRICHED


@dataclass(frozen=True, slots=True)
class Duplicate:
    """Outcome: an exact duplicate of an article already published, routed to the duplicates topic."""

    article: EnrichedArticle
    outcome: ClassVar[Outcome] = Outcome.DUPLICATE


@dataclass(frozen=True, slots=True)
class Rejected:
    """Outcome: input that could not become an article, routed to the rejected topic with its bytes."""

    envelope: RejectedRecord
    outcome: ClassVar[Outcome] = Outcome.REJECTED


Result = Enriched | Duplicate | Rejected


@dataclass(frozen=True, slots=True)
class OutputRecord:
    """A record ready for the producer: the bytes are final, so re-publishing it is byte-identical."""

    topic: str
    key: bytes | None
    value: bytes
    headers: Headers

    @property
    def size_bytes(self) -> int:
        """What the record weighs against a broker's size limits: key, value and headers (framing aside)."""
        return len(self.key or b"") + len(self.value) + sum(len(name) + len(value) for name, value in self.headers)
