"""Salient terms: rare, telling words outweigh common ones; the result is deterministic and unit length."""

from __future__ import annotations

import math

import numpy as np

from news_ingest.config import DedupSettings
from news_ingest.deduplicate.index import Thresholds
from news_ingest.deduplicate.memory_index import InMemoryDedupIndex
from news_ingest.deduplicate.sketch import words
from news_ingest.deduplicate.stage import Deduplicator
from news_ingest.deduplicate.terms import LEDE, NAMES, WHOLE, Terms, _table, salient_terms, supported, view_of
from tests.dedup_cases import term_id, text_terms


def view_id(word: str, view: int) -> bytes:
    return bytes([term_id(word)[0] | view << 4]) + term_id(word)[1:]


TEXT = (
    "Firefighters in Valparaiso battled a forest fire that destroyed about 120 homes on Saturday, officials said. "
    "President Gabriel Boric's government declared a state of emergency. Valparaiso residents were evacuated "
    "to shelters in Vina del Mar, where schools opened their halls for the night."
)


def whole(title: str | None, text: str, *, top: int) -> Terms:
    """The whole-text view alone."""
    return salient_terms([words(f"{title or ''}\n{text}")], ["en"], top=top)[0]


def weights(title: str | None, text: str, *, top: int = 100) -> dict[bytes, float]:
    return dict(whole(title, text, top=top))


def test_names_and_rare_words_outweigh_common_words() -> None:
    terms = weights("Fire in Valparaiso", TEXT)
    assert terms[term_id("valparaiso")] > terms[term_id("fire")] > terms.get(term_id("state"), 0.0)
    assert terms[term_id("boric")] > terms[term_id("president")]  # the possessive is stripped


def test_function_words_reporting_verbs_and_short_words_are_never_terms() -> None:
    terms = weights(None, TEXT)
    assert not {term_id(word) for word in ("the", "said", "that", "on", "saturday", "in", "a")} & set(terms)


def test_terms_are_unit_length_heaviest_first_capped_and_deterministic() -> None:
    terms = whole(None, TEXT, top=5)
    values = [weight for _, weight in terms]
    assert len(terms) == 5
    assert values == sorted(values, reverse=True)
    assert math.isclose(sum(w * w for w in values), 1.0, rel_tol=1e-9)
    assert whole(None, TEXT, top=5) == terms


def test_the_story_vector_blends_the_whole_text_its_names_and_its_lede() -> None:
    terms = dict(text_terms("Fire in Valparaiso", TEXT, language="en", top=25))
    views = {view_of(digest) for digest in terms}
    assert views == {WHOLE, NAMES, LEDE}
    assert math.isclose(sum(w * w for w in terms.values()), 1.0, rel_tol=1e-6)  # float32 weights
    assert all(float(np.float32(w)) == w for w in terms.values())  # exactly what the log's 4 bytes hold
    named = {digest for digest in terms if view_of(digest) == NAMES}
    # capitalised words inside sentences are names; "Firefighters" opens the text, "President" a sentence
    assert {view_id("valparaiso", NAMES), view_id("boric", NAMES), view_id("gabriel", NAMES)} <= named
    assert view_id("firefighters", NAMES) not in named
    assert view_id("president", NAMES) not in named
    values = list(terms.values())
    assert values == sorted(values, reverse=True)


def test_a_headline_or_a_brief_has_no_names_view() -> None:
    terms = text_terms(None, "Valparaiso fire destroys 120 homes, Boric Declares Emergency", language="en", top=25)
    assert {view_of(digest) for digest, _ in terms} == {WHOLE, LEDE}


def test_an_article_without_names_leaves_their_share_to_the_other_views() -> None:
    body = ("firefighters battled a forest fire that destroyed homes near the port on the hills above the bay, "
            "and residents were moved to shelters while crews worked through the night to hold the lines")  # fmt: skip
    terms = text_terms(None, body, language="en", top=25)
    assert {view_of(digest) for digest, _ in terms} == {WHOLE, LEDE}
    assert math.isclose(sum(w * w for _, w in terms), 1.0, rel_tol=1e-6)  # float32 weights


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
