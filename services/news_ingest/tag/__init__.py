"""Tag: the countries an article is about (ISO 3166, continent, UN sub-region) and the people, organisations and
places it names.

``stage.Tagger`` is the entry point; ``regions`` tags countries, ``entities`` (rules and gazetteer, the fast
profile) and ``ner`` (spaCy in worker processes, the full profile) find entities, with ``teams`` (clubs on
results lines) and ``overlaps`` (span bookkeeping).
"""

from news_ingest.tag.stage import Tagger

__all__ = ["Tagger"]
