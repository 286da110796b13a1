"""Shared scoring for the eval commands."""

from __future__ import annotations

import pytest

from news_ingest.evaluation.scoring import Score, cluster_agreement, mean, token_overlap


def test_identical_text_scores_one() -> None:
    assert token_overlap("The port reopened.", "the PORT reopened") == Score(1.0, 1.0, 1.0)


def test_extra_words_cost_precision_and_missing_words_cost_recall() -> None:
    score = token_overlap("the port reopened share this", "the port reopened on tuesday")
    assert score.precision == pytest.approx(3 / 5)
    assert score.recall == pytest.approx(3 / 5)
    assert score.f1 == pytest.approx(3 / 5)


def test_repeated_words_count_as_often_as_gold_has_them() -> None:
    assert token_overlap("storm storm storm", "storm").precision == pytest.approx(1 / 3)


def test_empty_output_against_gold_scores_zero() -> None:
    assert token_overlap("", "some gold text") == Score(0.0, 0.0, 0.0)


def test_mean_is_a_macro_average() -> None:
    assert mean([Score(1.0, 0.5, 0.6), Score(0.0, 0.5, 0.2)]) == Score(0.5, 0.5, 0.4)


def test_identical_clusterings_agree_perfectly_whatever_the_labels() -> None:
    score = cluster_agreement(["x", "x", "y", "z"], ["a", "a", "b", "c"])
    assert score.pairs == Score(1.0, 1.0, 1.0)
    assert score.adjusted_rand_index == pytest.approx(1.0)
    assert score.purity == 1.0


def test_splitting_a_gold_cluster_costs_pair_recall_not_precision() -> None:
    score = cluster_agreement(["p", "p", "q", "r"], ["a", "a", "a", "b"])
    assert score.pairs.precision == 1.0
    assert score.pairs.recall == pytest.approx(1 / 3)
    assert score.purity == 1.0


def test_merging_everything_costs_precision_and_purity() -> None:
    score = cluster_agreement(["m"] * 4, ["a", "a", "b", "b"])
    assert score.pairs.precision == pytest.approx(2 / 6)
    assert score.pairs.recall == 1.0
    assert score.purity == 0.5
    assert score.adjusted_rand_index == pytest.approx(0.0)
