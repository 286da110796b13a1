"""Copy verification: the indexed articles sharing an LSH band with a candidate, scored in one numpy pass.

A band match is only a candidate; the decision needs the estimated Jaccard of the two whole-text sketches,
the containment that follows from it and the two shingle counts, and for abridged copies the lede sketches.
Template-heavy or boilerplate-sharing streams give an article dozens of band matches (hundreds while a
lagging partition catches up), so they are compared as one matrix rather than one pair at a time. The
arithmetic is the per-pair formula of ``sketch.jaccard`` and ``sketch.containment`` in float64, operation
for operation, so both give the same floats (and the Redis script, which follows them, the same decisions).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from news_ingest.models import DedupMethod

Signatures = npt.NDArray[np.uint32]


@dataclass(frozen=True, slots=True)
class CopyRules:
    """The thresholds a band match must pass to be a copy."""

    near_jaccard: float
    containment: float
    lede_jaccard: float
    lede_containment: float


@dataclass(frozen=True, slots=True)
class Matches:
    """Band matches as rows: sketches and shingle counts, and how to name a row (its article id)."""

    signatures: Signatures  # (matches, permutations)
    ledes: Signatures
    shingle_counts: npt.NDArray[np.int64]
    article_id: Callable[[int], str]


@dataclass(frozen=True, slots=True)
class Copy:
    """The match a candidate copies: its row, the score and how it was found."""

    row: int
    score: float
    method: DedupMethod  # MINHASH (estimated Jaccard) or CONTAINMENT (abridged or extended copy)


def best_copy(
    signature: Signatures, lede: Signatures, shingle_count: int, matches: Matches, rules: CopyRules
) -> Copy | None:
    """The match that passes the rules: a near copy (the highest Jaccard) before a containment copy (the
    highest containment, then the highest Jaccard); equal ones go to the smaller article id."""
    permutations = signature.shape[0]
    similarity = np.count_nonzero(matches.signatures == signature, axis=1) / permutations
    # the estimated share of the smaller text found in the larger: an abridged copy (the candidate inside the
    # match) or an extended one (the match inside the candidate: the copy that arrived first was the shorter)
    smaller = np.minimum(shingle_count, matches.shingle_counts)
    overlap = similarity * (shingle_count + matches.shingle_counts) / (1 + similarity)
    contained = np.where(smaller > 0, np.minimum(1.0, overlap / np.maximum(smaller, 1)), 0.0)
    near = similarity >= rules.near_jaccard
    lede_similarity = np.count_nonzero(matches.ledes == lede, axis=1) / permutations
    abridged = ~near & (
        (contained >= rules.containment)
        | ((contained >= rules.lede_containment) & (lede_similarity >= rules.lede_jaccard))
    )
    passed = near | abridged
    if not passed.any():
        return None
    # near copies first, the most similar one; else the containment copy that holds most of the shorter text
    rank = np.where(near, 1.0 + similarity, np.where(abridged, contained, -1.0))
    best = passed & (rank == rank[passed].max())
    best &= similarity == similarity[best].max()  # equal containment (it caps at 1): the closer text
    tied = np.flatnonzero(best).tolist()
    row = min(tied, key=matches.article_id) if len(tied) > 1 else tied[0]
    if near[row]:
        return Copy(row=row, score=float(similarity[row]), method=DedupMethod.MINHASH)
    return Copy(row=row, score=float(contained[row]), method=DedupMethod.CONTAINMENT)
