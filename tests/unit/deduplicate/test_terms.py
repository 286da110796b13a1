"""Salient terms: rare, telling words outweigh common ones; the result is deterministic and unit length."""

from __future__ import annotations

import math

from news_ingest.config import DedupSettings
from news_ingest.deduplicate.index import Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from news_ingest.deduplicate.sketch import words
from news_ingest.deduplicate.stage import Deduplicator
from news_ingest.deduplicate.terms import _table, salient_terms, supported
from tests.dedup_cases import term_id, text_terms

TEXT = (
    "Firefighters in Valparaiso battled a forest fire that destroyed about 120 homes on Saturday, officials said. "
    "President Gabriel Boric's government declared a state of emergency. Valparaiso residents were evacuated."
)


def weights(title: str | None, text: str, *, top: int = 100) -> dict[bytes, float]:
    return dict(text_terms(title, text, language="en", top=top))


def test_names_and_rare_words_outweigh_common_words() -> None:
    terms = weights("Fire in Valparaiso", TEXT)
    assert terms[term_id("valparaiso")] > terms[term_id("fire")] > terms.get(term_id("state"), 0.0)
    assert terms[term_id("boric")] > terms[term_id("president")]  # the possessive is stripped


def test_function_words_reporting_verbs_and_short_words_are_never_terms() -> None:
    terms = weights(None, TEXT)
    assert not {term_id(word) for word in ("the", "said", "that", "on", "saturday", "in", "a")} & set(terms)


def test_terms_are_unit_length_heaviest_first_capped_and_deterministic() -> None:
    terms = text_terms(None, TEXT, language="en", top=5)
    values = [weight for _, weight in terms]
    assert len(terms) == 5
    assert values == sorted(values, reverse=True)
    assert math.isclose(sum(w * w for w in values), 1.0, rel_tol=1e-9)
    assert text_terms(None, TEXT, language="en", top=5) == terms


def test_unknown_or_missing_language_weighs_with_english() -> None:
    assert supported("xx") == "en"
    assert supported(None) == "en"
    assert supported("de") == "de"
    assert text_terms(None, "", language=None, top=5) == ()


def test_preloaded_languages_are_built_before_the_first_batch() -> None:
    settings = DedupSettings(preload_languages=("en", "de"))
    _table.cache_clear()  # as in a new process
    Deduplicator(index=InMemoryDedupIndex(Thresholds.from_settings(settings)), settings=settings)
    assert _table.cache_info().currsize == 2
    misses = _table.cache_info().misses
    salient_terms([words("Die Regierung in Berlin hat am Montag neue Gesetze beschlossen.")], ["de"], top=5)
    assert _table.cache_info().misses == misses  # German was ready: nothing built inside the batch
    assert settings.version() == DedupSettings().version()  # start-up work is not a decision setting
