"""A name found in a text: the unit every extractor returns and every entity rule reads."""

from __future__ import annotations

from dataclasses import dataclass

from news_ingest.models import EntityType


@dataclass(frozen=True, slots=True)
class Span:
    """A name found in a text: where, what type, and the id it links to when one is known (places)."""

    start: int
    end: int
    type: EntityType
    text: str
    link: str | None = None
