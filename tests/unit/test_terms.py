"""Salient terms: rare, telling words outweigh common ones; the result is deterministic and unit length."""

from __future__ import annotations

import math

from news_ingest.terms import salient_terms, supported

TEXT = (
    "Firefighters in Valparaiso battled a forest fire that destroyed about 120 homes on Saturday, officials said. "
    "President Gabriel Boric declared a state of emergency. Valparaiso residents were evacuated."
)


def test_names_and_rare_words_outweigh_common_words() -> None:
    terms = dict(salient_terms("Fire in Valparaiso", TEXT, language="en", top=25))
    assert terms["valparaiso"] > terms["fire"] > terms.get("state", 0.0)
    assert terms["boric"] > terms["president"]


def test_function_words_and_reporting_verbs_are_never_terms() -> None:
    terms = dict(salient_terms(None, TEXT, language="en", top=100))
    assert not {"the", "said", "that", "on", "saturday"} & set(terms)


def test_terms_are_unit_length_heaviest_first_and_capped() -> None:
    terms = salient_terms(None, TEXT, language="en", top=5)
    weights = [weight for _, weight in terms]
    assert len(terms) == 5
    assert weights == sorted(weights, reverse=True)
    assert math.isclose(sum(w * w for w in weights), 1.0, rel_tol=1e-9)
    assert salient_terms(None, TEXT, language="en", top=5) == terms


def test_unknown_or_missing_language_weighs_with_english() -> None:
    assert supported("xx") == "en"
    assert supported(None) == "en"
    assert supported("de") == "de"
    assert salient_terms(None, "", language=None, top=5) == ()
