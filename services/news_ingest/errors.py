"""The one exception root of news-ingest and its tree.

::

    NewsIngestError                 (retriable: bool)
    ├── ConfigError                 the settings ask for what this installation cannot do: stop at start-up
    ├── TopicMissing                a topic a command reads is not on the cluster
    ├── InputRejected               bad input: becomes a record on the rejected topic, never a crash
    └── InfrastructureError         the outside world failed: retry with backoff, never publish unchecked
        ├── BrokerUnavailable       fetch, publish or commit could not reach the Kafka cluster
        ├── PublishFailed           a produced record was not acknowledged
        ├── CommitFailed            offsets were not committed (not retriable: the partition moved away)
        ├── EmbeddedBrokerFailed    the bundled Tansu broker could not be found or started
        ├── DedupIndexUnavailable   the shared dedup index (Redis) did not answer: consumption pauses
        └── TaggerUnavailable       the NER worker processes stopped: they restart and the batch is retried

Any other exception a stage raises on one record is a bug that input found: the pipeline turns it into a
``processing_failed`` rejection of that record alone (``pipeline.Pipeline``), never a crash.

Input errors carry a closed ``reason`` and the ``stage`` that found them; infrastructure errors carry
``retriable`` so the worker knows whether backing off can help.
"""

from __future__ import annotations

from news_ingest.models import RejectReason, Stage


class NewsIngestError(Exception):
    """Root of every error raised on purpose by news-ingest."""

    retriable: bool = False


class ConfigError(NewsIngestError):
    """The settings ask for something this installation cannot do (a model that is not installed...)."""


class TopicMissing(NewsIngestError):
    """A topic a command was asked to read does not exist on the cluster."""


class InputRejected(NewsIngestError):
    """A message that cannot become an article; it is routed to the rejected topic with its original bytes."""

    def __init__(self, reason: RejectReason, detail: str, *, stage: Stage = Stage.DECODE) -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail
        self.stage = stage


class InfrastructureError(NewsIngestError):
    """A dependency (broker, index) failed; the batch is retried, nothing is committed meanwhile."""

    def __init__(self, message: str, *, retriable: bool = True) -> None:
        super().__init__(message)
        self.retriable = retriable


class BrokerUnavailable(InfrastructureError):
    """The Kafka cluster did not answer a fetch, commit or metadata request."""


class PublishFailed(InfrastructureError):
    """At least one output record of a batch was not acknowledged by the broker."""

    def __init__(self, message: str, *, retriable: bool = True, timed_out: bool = False) -> None:
        super().__init__(message, retriable=retriable)
        self.timed_out = timed_out


class CommitFailed(InfrastructureError):
    """Offsets were not committed; when not retriable the group moved on and the records will be redelivered."""


class EmbeddedBrokerFailed(InfrastructureError):
    """The embedded broker binary is missing or did not start listening in time."""


class DedupIndexUnavailable(InfrastructureError):
    """The shared dedup index did not answer; the batch waits unpublished until it does."""


class TaggerUnavailable(InfrastructureError):
    """The NER worker processes stopped (killed, out of memory); they are restarted and the batch retried."""
