"""Metrics: one module, prefixed names, closed labels, the ledger primed at zero."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from news_ingest.metrics import Metrics
from news_ingest.models import RejectReason


def test_every_metric_is_prefixed_and_ends_in_a_unit_or_total() -> None:
    registry = CollectorRegistry()
    Metrics(registry)
    names = {metric.name for metric in registry.collect()}
    assert names
    for name in names:
        assert name.startswith("news_ingest_"), name


def test_assigned_partition_ledger_starts_at_zero_for_every_reason() -> None:
    registry = CollectorRegistry()
    Metrics(registry).partition_assigned("raw", 4)
    labels = {"topic": "raw", "partition": "4"}
    assert registry.get_sample_value("news_ingest_messages_consumed_total", labels) == 0
    for reason in RejectReason:
        sample = registry.get_sample_value(
            "news_ingest_messages_outcome_total", {**labels, "outcome": "rejected", "reason": reason.value}
        )
        assert sample == 0, reason


def test_outcome_totals_sum_over_partitions_and_reasons() -> None:
    metrics = Metrics(CollectorRegistry())
    metrics.outcomes.labels(topic="raw", partition="0", outcome="enriched", reason="none").inc(3)
    metrics.outcomes.labels(topic="raw", partition="1", outcome="rejected", reason="too_large").inc(2)
    metrics.outcomes.labels(topic="raw", partition="1", outcome="rejected", reason="invalid_json").inc()
    assert metrics.outcome_totals() == {"enriched": 3, "rejected": 3}


def test_stage_means_are_microseconds_per_message_and_zero_before_traffic() -> None:
    metrics = Metrics(CollectorRegistry())
    assert set(metrics.stage_means_us().values()) == {0.0}
    for seconds in (0.001, 0.003):
        metrics.stage_duration.labels(stage="normalise").observe(seconds)
    means = metrics.stage_means_us()
    assert means["normalise"] == 2000.0
    assert means["tag"] == 0.0


def test_lag_of_partitions_given_away_is_no_longer_reported() -> None:
    registry = CollectorRegistry()
    metrics = Metrics(registry)
    for partition in (0, 1, 2):
        metrics.consumer_lag.labels(topic="raw", partition=str(partition)).set(10 + partition)
    metrics.lag_only_for({("raw", 1)})
    lag = "news_ingest_consumer_lag_messages"
    assert registry.get_sample_value(lag, {"topic": "raw", "partition": "1"}) == 11
    assert registry.get_sample_value(lag, {"topic": "raw", "partition": "0"}) is None
    assert registry.get_sample_value(lag, {"topic": "raw", "partition": "2"}) is None
