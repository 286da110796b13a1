"""news-ingest: streaming ingestion for news articles on Kafka (normalise, deduplicate, tag, publish)."""

__version__ = "0.1.0"
