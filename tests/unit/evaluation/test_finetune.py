"""What the fine-tuning command teaches from one CoNLL article: the service's labels, MISC left unknown unless the
base model names it with a kindred label, the base model's other labels kept outside CoNLL's spans."""

from __future__ import annotations

import random

import spacy

from news_ingest.evaluation.finetune import Article, Targets, conll_targets, example, rehearsal_sample

TEXT = "Marta Kowalczyk of Ostrava Steel flew to Brno on Monday for the Danube Cup ."
#       0         1         2         3         4         5         6         7
#       0123456789012345678901234567890123456789012345678901234567890123456789012345678
PERSON, FIRM, CITY = (0, 15, "PER"), (19, 32, "ORG"), (41, 45, "LOC")
CUP = (64, 74, "MISC")


def test_gold_takes_the_services_labels_and_misc_stays_unknown() -> None:
    article = Article(TEXT, [PERSON, FIRM, CITY, CUP])
    base = [(0, 15, "PERSON"), (19, 32, "GPE"), (49, 55, "DATE"), (64, 74, "ORG")]
    targets = conll_targets(article, base)
    assert targets.entities == [(0, 15, "PERSON"), (19, 32, "ORG"), (41, 45, "GPE"), (49, 55, "DATE")]
    assert targets.unknown == [(64, 74)]  # neither "ORG" (the base model's reading) nor nothing


def test_misc_the_base_model_calls_an_event_keeps_that_label_and_a_loc_it_calls_fac_stays_fac() -> None:
    article = Article(TEXT, [CITY, CUP])
    targets = conll_targets(article, [(41, 45, "FAC"), (64, 74, "EVENT")])
    assert targets.entities == [(41, 45, "FAC"), (64, 74, "EVENT")]
    assert targets.unknown == []


def test_a_name_the_base_model_sees_where_conll_says_o_is_taught_away() -> None:
    article = Article(TEXT, [PERSON])
    targets = conll_targets(article, [(0, 15, "PERSON"), (41, 45, "GPE")])
    assert targets.entities == [(0, 15, "PERSON")]


def test_unknown_ranges_become_dashes_in_the_biluo_tags() -> None:
    nlp = spacy.blank("en")
    tags = example(nlp, Targets(TEXT, [(0, 15, "PERSON")], [(64, 74)])).reference
    labels = [token.ent_iob_ + ("-" + token.ent_type_ if token.ent_type_ else "") for token in tags]
    assert labels[:2] == ["B-PERSON", "I-PERSON"]
    assert [t.text for t in tags if t.ent_iob_ == ""] == ["Danube", "Cup"]  # missing, not "O"
    assert [t.text for t in tags if t.ent_iob_ == "O"][:2] == ["of", "Ostrava"]


def test_rehearsal_uses_every_silver_article_once_before_any_again() -> None:
    pool = [Targets(str(n), [], []) for n in range(5)]
    samples = rehearsal_sample(pool, 3, random.Random(0))
    first, second = next(samples), next(samples)
    seen = [t.text for t in first + second]
    assert sorted(seen[:5]) == ["0", "1", "2", "3", "4"]
    assert len(seen) == 6
