"""Tag stage: regions and entities found in an article."""

from __future__ import annotations

from news_ingest.models import Article, Tags


def tag(article: Article) -> Tags:  # noqa: ARG001 - the extractors arrive with issue #5
    """No extractors are wired yet, so nothing is tagged; the fields exist in the contract already."""
    return Tags()
