"""Sketches: words as a plain Python split would find them, batch results equal one-text results, and
one-permutation signatures that estimate Jaccard similarity as well as independent permutations would."""

from __future__ import annotations

import numpy as np
import pytest

from news_ingest.deduplicate.sketch import (
    EMPTY,
    WORD_EDGES,
    OnePermutationHasher,
    distinct_counts,
    jaccard,
    shingles,
    words,
    words_of,
)
from news_ingest.demo import STORIES
from tests.dedup_cases import STORY, signature

TEXTS = ["", "Two words", "Three words here", *["\n\n".join(story.paragraphs) for story in STORIES], "x", " . , "]
TRICKY = (
    "\u201cHello,\u201d she said. It's the dog's U.S.-made 'toy'... \u2014 \u03a3\u0399\u03a3\u03a5\u03a6\u039f\u03a3 "
    "caf\u00e9 \U0001f600x 'S ''s -- (Reuters) \u00abquoted\u00bb  tab\tand\nline \u00a0nbsp\u3000ideo"
)


def reference(text: str) -> list[str]:
    """The words ``words`` stands for, found one Python call per word."""
    found = (raw.strip(WORD_EDGES).removesuffix("'s") for raw in text.lower().split())
    return [word for word in found if word]


@pytest.mark.parametrize("text", [TRICKY, *TEXTS])
def test_words_are_the_stripped_lower_cased_whitespace_tokens(text: str) -> None:
    expected = reference(text)
    got = words(text)
    assert got.lengths.tolist() == [len(word) for word in expected]
    assert got.ids.tolist() == [int(words(word).ids[0]) for word in expected]  # each word's id, wherever it is


def test_words_of_a_batch_equal_each_texts_own_words_and_ids_differ_between_words() -> None:
    batch = words_of([TRICKY, *TEXTS])
    for text, got in zip([TRICKY, *TEXTS], batch, strict=True):
        alone = words(text)
        assert np.array_equal(got.ids, alone.ids)
        assert np.array_equal(got.lengths, alone.lengths)
    vocabulary = {word for text in TEXTS for word in reference(text)}
    assert len({int(words(word).ids[0]) for word in vocabulary}) == len(vocabulary)


def test_shingles_are_every_window_of_each_text_and_a_short_text_is_one_shingle() -> None:
    ids = [words(text).ids for text in TEXTS]
    hashes, owners = shingles(ids, size=3)
    for n, one in enumerate(ids):
        mine = hashes[owners == n]
        assert mine.size == (max(one.size - 2, 1) if one.size else 0), TEXTS[n][:20]
        alone, _ = shingles([one], size=3)
        assert np.array_equal(mine, alone)
    repeated = words("a b c a b c").ids
    assert distinct_counts(*shingles([repeated], size=3), 1).tolist() == [3]  # abc, bca, cab


def test_batch_signatures_equal_one_at_a_time() -> None:
    hasher = OnePermutationHasher(bins=64)
    ids = [words(text).ids for text in TEXTS]
    rows = hasher.signatures(*shingles(ids, size=3), len(ids))
    for n, one in enumerate(ids):
        assert np.array_equal(rows[n], hasher.signatures(*shingles([one], size=3), 1)[0])
    assert (rows[0] == EMPTY).all()
    assert (rows[-1] == EMPTY).all()
    assert not (rows[1:-1] == EMPTY).any()  # densified: a two-word text fills every bin


def test_densified_bins_only_hold_values_of_the_texts_own_shingles() -> None:
    hasher = OnePermutationHasher(bins=64)
    hashes, owners = shingles([words("one two three four five six").ids], size=3)
    row = hasher.signatures(hashes, owners, 1)[0]
    singles = {int(hasher.signatures(hashes[k : k + 1], owners[k : k + 1], 1)[0][0]) for k in range(hashes.size)}
    assert set(row.tolist()) <= singles
    assert len(set(row.tolist())) == len(singles)


def test_signature_agrees_with_true_jaccard_within_sampling_error() -> None:
    a, b = shingles([words(STORY).ids], size=3)[0], shingles([words(STORY[:200]).ids], size=3)[0]
    true = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
    estimate = jaccard(signature(STORY), signature(STORY[:200]))
    assert abs(estimate - true) < 3 * (true * (1 - true) / 64) ** 0.5 + 0.02


def test_estimates_are_unbiased_over_many_set_pairs() -> None:
    rng = np.random.default_rng(7)
    hasher = OnePermutationHasher(bins=64)
    errors = []
    for size in (20, 300):
        for _ in range(100):
            common = rng.integers(0, 2**63, size=size // 2, dtype=np.uint64)
            a = np.concatenate([common, rng.integers(0, 2**63, size=size - common.size, dtype=np.uint64)])
            b = np.concatenate([common, rng.integers(0, 2**63, size=size - common.size, dtype=np.uint64)])
            rows = hasher.signatures(np.concatenate([a, b]), np.repeat([0, 1], size), 2)
            errors.append(jaccard(rows[0], rows[1]) - common.size / (2 * size - common.size))
    assert abs(float(np.mean(errors))) < 0.02  # 200 pairs: the mean error's own sampling error is ~0.004
    assert float(np.std(errors)) < 0.08  # independent permutations: sqrt(J(1-J)/64) = 0.059 at J = 1/3
