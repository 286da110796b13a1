"""A name found in a text: the unit every extractor returns and every entity rule reads."""

from __future__ import annotations

from dataclasses import dataclass

from news_ingest.models import EntityType


@dataclass(slots=True)
class Span:
    """A name found in a text: where, what type, and the id it links to when one is known (places).

    Treated as a value: rules make new spans and never assign to one. Not ``frozen``: a frozen dataclass sets
    each field through ``object.__setattr__``, which made creating spans (~150 an article) 4x dearer."""

    start: int
    end: int
    type: EntityType
    text: str
    link: str | None = None


# The types as plain names for the rules: on Python 3.11 each ``EntityType.PERSON`` is a class-attribute lookup
# through the enum's metaclass (~70 ns, six times a module global's), and the rules ask it thousands of times an
# article.
PERSON, ORG, LOC = EntityType.PERSON, EntityType.ORG, EntityType.LOC
