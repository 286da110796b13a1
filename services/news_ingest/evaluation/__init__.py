"""Evaluation against gold data, and the synthetic stream: used by ``news-ingest eval``, ``generate`` and the
benchmarks, never by ``run``.

``boilerplate`` (body cleaning vs gold text), ``dedup`` (clusters vs gold same-story sets), ``regions`` (country
tags vs Reuters-21578), ``ner`` (entities vs CoNLL-2003), ``scoring`` (the shared measures) and ``synthetic``
(a generated stream of any size with its truth).
"""
