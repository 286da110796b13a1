"""Every Prometheus metric the service exports, registered on an injected registry with closed label sets."""

from __future__ import annotations

from collections import Counter as Tally
from enum import StrEnum

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

from news_ingest import __version__
from news_ingest.models import Outcome, RejectReason, Stage

NO_REASON = "none"
_STAGE_BUCKETS = (0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25)
_LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
_BATCH_BUCKETS = (1, 5, 10, 25, 50, 100, 250, 500, 1000, 2000)


class ProducerErrorKind(StrEnum):
    """Closed label for producer failures."""

    TIMEOUT = "timeout"
    BROKER = "broker"
    OTHER = "other"


class Metrics:
    """The service's metrics; one instance per registry (tests pass a fresh ``CollectorRegistry``)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.consumed = Counter(
            "news_ingest_messages_consumed_total",
            "Messages consumed from the raw topic.",
            ["topic", "partition"],
            registry=registry,
        )
        self.outcomes = Counter(
            "news_ingest_messages_outcome_total",
            "Messages whose output was acknowledged, by outcome and reject reason; sums to consumed per partition.",
            ["topic", "partition", "outcome", "reason"],
            registry=registry,
        )
        self.stage_duration = Histogram(
            "news_ingest_stage_duration_seconds",
            "Time spent per message in each pipeline stage.",
            ["stage"],
            buckets=_STAGE_BUCKETS,
            registry=registry,
        )
        self.end_to_end_latency = Histogram(
            "news_ingest_end_to_end_latency_seconds",
            "From the article's fetched_at to the acknowledgement of its output record.",
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.batch_size = Histogram(
            "news_ingest_batch_size_messages",
            "Messages per consumed batch.",
            buckets=_BATCH_BUCKETS,
            registry=registry,
        )
        self.consumer_lag = Gauge(
            "news_ingest_consumer_lag_messages",
            "High watermark minus the next offset to process, per assigned partition.",
            ["topic", "partition"],
            registry=registry,
        )
        self.in_flight = Gauge(
            "news_ingest_in_flight_messages",
            "Messages fetched whose outputs are not yet committed.",
            registry=registry,
        )
        self.producer_errors = Counter(
            "news_ingest_producer_errors_total",
            "Failed publish attempts of a batch, by kind.",
            ["kind"],
            registry=registry,
        )
        self.commits = Counter(
            "news_ingest_commits_total",
            "Offset commits that succeeded.",
            registry=registry,
        )
        self.commit_failures = Counter(
            "news_ingest_commit_failures_total",
            "Offset commits that failed (the records will be re-processed and re-published identically).",
            registry=registry,
        )
        self.dedup_index_entries = Gauge(
            "news_ingest_dedup_index_entries",
            "Articles held in the dedup index (the window's entries).",
            registry=registry,
        )
        self.dedup_index_bytes = Gauge(
            "news_ingest_dedup_index_bytes",
            "Memory the dedup index holds: estimated from its structures (memory) or Redis used_memory (redis).",
            registry=registry,
        )
        self.dedup_index_bytes_per_article = Gauge(
            "news_ingest_dedup_index_bytes_per_article",
            "news_ingest_dedup_index_bytes divided by the entries (0 while empty).",
            registry=registry,
        )
        self.dedup_watermark = Gauge(
            "news_ingest_dedup_watermark_timestamp_seconds",
            "Event time the dedup window trails (the slowest partition's front less the allowed lateness); "
            "NaN until every assigned partition has delivered. time() minus it: how far the index lags.",
            registry=registry,
        )
        self.ready = Gauge(
            "news_ingest_ready",
            "1 while /readyz answers ready, else 0.",
            registry=registry,
        )
        self.build = Info("news_ingest_build", "Service version.", registry=registry)
        self.build.info({"version": __version__})
        self._prime()

    def _prime(self) -> None:
        """Create every stage and outcome series at zero so dashboards and alerts see them before traffic."""
        for stage in Stage:
            self.stage_duration.labels(stage=stage.value)
        for kind in ProducerErrorKind:
            self.producer_errors.labels(kind=kind.value)

    def partition_assigned(self, topic: str, partition: int) -> None:
        """Create the ledger series for a newly assigned partition so the sums hold from zero."""
        labels = {"topic": topic, "partition": str(partition)}
        self.consumed.labels(**labels)
        self.outcomes.labels(**labels, outcome=Outcome.ENRICHED.value, reason=NO_REASON)
        self.outcomes.labels(**labels, outcome=Outcome.DUPLICATE.value, reason=NO_REASON)
        for reason in RejectReason:
            self.outcomes.labels(**labels, outcome=Outcome.REJECTED.value, reason=reason.value)

    def lag_only_for(self, owned: set[tuple[str, int]]) -> None:
        """Drop the lag series of partitions this member no longer owns, so after a rebalance each partition's
        lag is reported by its one owner, not also, frozen, by the member that had it before."""
        for metric in self.consumer_lag.collect():
            for sample in metric.samples:
                topic, partition = sample.labels["topic"], sample.labels["partition"]
                if (topic, int(partition)) not in owned:
                    self.consumer_lag.remove(topic, partition)

    def outcome_totals(self) -> Tally[str]:
        """Acknowledged outputs per outcome, summed over partitions and reasons."""
        totals: Tally[str] = Tally()
        for metric in self.outcomes.collect():
            for sample in metric.samples:
                if sample.name.endswith("_total"):
                    totals[sample.labels["outcome"]] += int(sample.value)
        return totals

    def total_lag(self) -> int:
        """Messages behind the end of the partitions this member owns, summed."""
        return int(sum(sample.value for metric in self.consumer_lag.collect() for sample in metric.samples))

    def stage_means_us(self) -> dict[str, float]:
        """Mean microseconds per message in each stage so far (0 where a stage saw nothing)."""
        sums: dict[str, float] = {}
        counts: dict[str, float] = {}
        for metric in self.stage_duration.collect():
            for sample in metric.samples:
                stage = sample.labels["stage"]
                if sample.name.endswith("_sum"):
                    sums[stage] = sample.value
                elif sample.name.endswith("_count"):
                    counts[stage] = sample.value
        return {stage: round(sums[stage] / counts[stage] * 1e6, 1) if counts.get(stage) else 0.0 for stage in sums}
