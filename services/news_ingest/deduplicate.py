"""Deduplicate stage: decide whether an article is new, a near-duplicate or an exact duplicate."""

from __future__ import annotations

from news_ingest.models import Article, DedupInfo, DedupStatus


def deduplicate(article: Article) -> DedupInfo:
    """Every article is its own story until the dedup index lands (issue #4): unique, its id is its cluster."""
    return DedupInfo(status=DedupStatus.UNIQUE, cluster_id=article.article_id)
