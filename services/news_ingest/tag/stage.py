"""Tag stage: regions and entities found in a batch of articles."""

from __future__ import annotations

from collections.abc import Sequence

from news_ingest.models import Article, Tags
from news_ingest.tag.entities import EntityExtractor, entities
from news_ingest.tag.regions import RegionTagger
from news_ingest.tag.span import PERSON, Span


def tagged_text(article: Article) -> str:
    """What entities are found in, and what their offsets count in: the title, a blank line, the body."""
    return f"{article.title}\n\n{article.body}" if article.title else article.body


def _people(spans: Sequence[Span]) -> list[tuple[int, int]]:
    return [(span.start, span.end) for span in spans if span.type is PERSON]


class Tagger:
    """Countries from the region tagger, entities from the configured extractor (one call per batch)."""

    def __init__(self, regions: RegionTagger, extractor: EntityExtractor) -> None:
        self._regions = regions
        self.extractor = extractor

    async def __call__(self, articles: Sequence[Article]) -> list[Tags]:
        texts = [tagged_text(article) for article in articles]
        spans = await self.extractor.spans(texts) if texts else []
        return [Tags(regions=self._regions(article, _people(found)),
                     entities=entities(found, len(text), text, self._country_name))
                for article, text, found in zip(articles, texts, spans, strict=True)]  # fmt: skip

    def _country_name(self, link: str) -> str | None:
        """A country entity's name is its country's ("United States", however the text wrote it: one facet)."""
        facts = self._regions.countries.get(link[4:]) if link.startswith("iso:") else None
        return facts.name if facts is not None else None

    def close(self) -> None:
        self.extractor.close()
