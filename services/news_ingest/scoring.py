"""Scores shared by the ``eval`` commands: precision, recall and F1, per document and over a corpus."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
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
