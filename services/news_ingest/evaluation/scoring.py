"""Scores shared by the ``eval`` commands: precision, recall and F1, per document and over a corpus."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Score:
    """Precision, recall and F1 of one comparison (or their means)."""

    precision: float
    recall: float
    f1: float

    @classmethod
    def of(cls, *, true_positive: float, predicted: float, actual: float) -> Score:
        precision = true_positive / predicted if predicted else (1.0 if not actual else 0.0)
        recall = true_positive / actual if actual else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return cls(precision, recall, f1)


def tokens(text: str) -> Counter[str]:
    """Lower-cased word tokens as a multiset."""
    return Counter(_TOKEN.findall(text.lower()))


def token_overlap(predicted: str, gold: str) -> Score:
    """Bag-of-words overlap between an extracted text and the gold text (the metric of the extraction
    benchmarks: which of the gold words were kept, and how much of the output is gold)."""
    got, want = tokens(predicted), tokens(gold)
    overlap = sum((got & want).values())
    return Score.of(true_positive=overlap, predicted=sum(got.values()), actual=sum(want.values()))


def mean(scores: Iterable[Score]) -> Score:
    """Macro average: every document counts once."""
    listed = list(scores)
    if not listed:
        return Score(0.0, 0.0, 0.0)
    count = len(listed)
    return Score(
        sum(s.precision for s in listed) / count,
        sum(s.recall for s in listed) / count,
        sum(s.f1 for s in listed) / count,
    )


@dataclass(frozen=True, slots=True)
class ClusterScore:
    """Agreement of predicted clusters with gold clusters over the same items."""

    pairs: Score  # precision/recall/F1 of "same cluster" over all item pairs
    adjusted_rand_index: float
    purity: float


def cluster_agreement(predicted: Sequence[str], gold: Sequence[str]) -> ClusterScore:
    """Pairwise P/R/F1, adjusted Rand index and purity of ``predicted`` labels against ``gold`` labels."""
    if len(predicted) != len(gold):
        raise ValueError("predicted and gold label lists differ in length")
    total = len(gold)
    joint = Counter(zip(predicted, gold, strict=True))
    together = sum(_pairs(n) for n in joint.values())
    predicted_pairs = sum(_pairs(n) for n in Counter(predicted).values())
    gold_pairs = sum(_pairs(n) for n in Counter(gold).values())
    all_pairs = _pairs(total)
    expected = predicted_pairs * gold_pairs / all_pairs if all_pairs else 0.0
    maximum = (predicted_pairs + gold_pairs) / 2
    ari = (together - expected) / (maximum - expected) if maximum != expected else 1.0
    best_overlap: dict[str, int] = {}
    for (cluster, _), count in joint.items():
        best_overlap[cluster] = max(best_overlap.get(cluster, 0), count)
    purity = sum(best_overlap.values()) / total if total else 0.0
    pairs = Score.of(true_positive=together, predicted=predicted_pairs, actual=gold_pairs)
    return ClusterScore(pairs=pairs, adjusted_rand_index=ari, purity=purity)


def _pairs(count: int) -> int:
    return count * (count - 1) // 2
