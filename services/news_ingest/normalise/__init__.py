"""Normalise: raw article events to clean, comparable articles (text, chrome and teasers out, dateline, URL, ids).

``stage.Normaliser`` is the entry point; the other modules are its steps: ``markup`` (HTML to text), ``text``
(Unicode and paragraphs), ``chrome`` (aggregator chrome and related-story teasers), ``dateline``, ``repeats``
(the repeated lede), ``urls`` (canonical addresses) and ``language``.
"""

from news_ingest.normalise.stage import Normaliser

__all__ = ["Normaliser"]
