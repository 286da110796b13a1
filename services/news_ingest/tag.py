"""Tag stage: regions and entities found in an article."""

from __future__ import annotations

from news_ingest.models import Article, Tags
from news_ingest.regions import RegionTagger


class Tagger:
    """Runs the region tagger over an article (entities arrive with the rest of issue #5)."""

    def __init__(self, regions: RegionTagger) -> None:
        self._regions = regions

    def __call__(self, article: Article) -> Tags:
        return Tags(regions=self._regions(article))
