"""Sketches: the batch functions give exactly what the one-text functions give."""

from __future__ import annotations

import numpy as np

from news_ingest import sketch
from news_ingest.demo import STORIES
from news_ingest.sketch import MinHasher, shingle_hashes, shingle_sets
from tests.dedup_cases import word_ids

TEXTS = ["", "Two words", "Three words here", *["\n\n".join(story.paragraphs) for story in STORIES], "x"]


def test_shingle_sets_equal_each_texts_own_shingles() -> None:
    ids = [word_ids(text) for text in TEXTS]
    hashes, offsets = shingle_sets(ids, words=3)
    assert offsets.size == len(TEXTS) + 1
    for n, one in enumerate(ids):
        assert np.array_equal(hashes[offsets[n] : offsets[n + 1]], shingle_hashes(one, words=3)), TEXTS[n][:20]


def test_batch_signatures_equal_one_at_a_time_also_across_chunks(monkeypatch: object) -> None:
    hasher = MinHasher(permutations=64)
    ids = [word_ids(text) for text in TEXTS] * 3
    hashes, offsets = shingle_sets(ids, words=3)
    rows = hasher.signatures(hashes, offsets)

    sketch._CHUNK = 50  # type: ignore[attr-defined]
    try:
        chunked = hasher.signatures(hashes, offsets)
    finally:
        sketch._CHUNK = 65_536  # type: ignore[attr-defined]
    for n, one in enumerate(ids):
        expected = hasher.signature(shingle_hashes(one, words=3))
        assert np.array_equal(rows[n], expected)
        assert np.array_equal(chunked[n], expected)
