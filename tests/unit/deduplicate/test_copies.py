"""Copy verification over a matrix of band matches equals the per-pair formulas, ties included."""

from __future__ import annotations

import numpy as np

from news_ingest.deduplicate.copies import CopyRules, Matches, best_copy
from news_ingest.deduplicate.sketch import containment, jaccard

RULES = CopyRules(near_jaccard=0.5, containment=0.8, lede_jaccard=0.9, lede_containment=0.5)


def per_pair(signature, lede, count, matches: Matches, ids: list[str]) -> tuple[float, str, str] | None:
    """The decision rule one pair at a time, as the index applied it before matches were scored together."""
    best = None
    for row, other_id in enumerate(ids):
        similarity = jaccard(signature, matches.signatures[row])
        contained = containment(similarity, count, int(matches.shingle_counts[row]))
        if similarity >= RULES.near_jaccard:
            scored = (1, similarity, similarity, "minhash", other_id)  # a near copy ranks before containment
        elif contained >= RULES.containment or (
            contained >= RULES.lede_containment and jaccard(lede, matches.ledes[row]) >= RULES.lede_jaccard
        ):
            scored = (0, contained, similarity, "containment", other_id)  # equal containment: the closer text
        else:
            continue
        if best is None or scored[:3] > best[:3] or (scored[:3] == best[:3] and scored[4] < best[4]):
            best = scored
    return None if best is None else (best[1], best[3], best[4])


def test_matrix_scoring_picks_what_the_per_pair_rule_picks() -> None:
    rng = np.random.default_rng(3)
    agreed = 0
    for trial in range(300):
        signature = rng.integers(0, 6, 64, dtype=np.uint32)
        lede = rng.integers(0, 3, 64, dtype=np.uint32)
        size = int(rng.integers(5, 30))
        signatures = np.where(rng.random((size, 64)) < rng.random((size, 1)), signature, rng.integers(6, 9, (size, 64)))
        ledes = np.where(rng.random((size, 64)) < 0.95, lede, 7).astype(np.uint32)
        ids = [f"{rng.integers(0, 4):02x}{n:04x}" for n in range(size)]
        matches = Matches(signatures=signatures.astype(np.uint32), ledes=ledes,
                          shingle_counts=rng.integers(0, 400, size).astype(np.int64),
                          article_id=ids.__getitem__)  # fmt: skip
        count = int(rng.integers(0, 300)) if trial % 10 else 0
        expected = per_pair(signature, lede, count, matches, ids)
        found = best_copy(signature, lede, count, matches, RULES)
        if expected is None:
            assert found is None
            continue
        assert found is not None
        assert (found.score, found.method, ids[found.row]) == expected
        agreed += 1
    assert agreed > 100  # most trials found a copy, so the comparison covered the scoring, not only "none"


def test_equally_similar_matches_go_to_the_smaller_article_id() -> None:
    signature = np.arange(64, dtype=np.uint32)
    copies = np.stack([signature, signature, signature])
    matches = Matches(signatures=copies, ledes=copies, shingle_counts=np.array([50, 50, 50], dtype=np.int64),
                      article_id=["c3", "a1", "b2"].__getitem__)  # fmt: skip
    found = best_copy(signature, signature, 50, matches, RULES)
    assert found is not None
    assert (found.row, found.score, found.method) == (1, 1.0, "minhash")


def test_an_abridged_copy_is_found_by_containment() -> None:
    signature = np.arange(64, dtype=np.uint32)
    half = signature.copy()
    half[32:] += 1000  # estimated Jaccard 0.5 with a text three times longer: a third of it, wholly inside
    matches = Matches(signatures=half[None, :], ledes=signature[None, :], shingle_counts=np.array([300]),
                      article_id=["a"].__getitem__)  # fmt: skip
    rules = CopyRules(near_jaccard=0.6, containment=0.8, lede_jaccard=0.9, lede_containment=0.5)
    found = best_copy(signature, signature, 100, matches, rules)
    assert found is not None
    assert found.method == "containment"
    assert found.score == 1.0
