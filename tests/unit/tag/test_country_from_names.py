"""Editor-style cases: a place name that is part of a person's, a firm's or a language's name is no country
evidence; demonyms resolve to states; provinces to their countries; dissolved states to their successors.
Each article is written for the test and its exact tags asserted."""

from __future__ import annotations

import pytest

from news_ingest.models import RawArticle
from news_ingest.normalise.stage import Normaliser
from tests.conftest import region_tagger

CASES = [
    (
        "a surname that is also a city, in the title and then in full in the body",
        "Kennedy attacks budget plans",
        (
            "Liberal Democrat leader Charles Kennedy said the budget would hurt pensioners in Britain. Kennedy told "
            "the Commons that the chancellor had got his sums wrong."
        ),
        ["GB"],
    ),
    (
        "a peer and a judge whose names are places",
        None,
        (
            "Lord Irvine defended the reforms in the House of Lords on Monday, and Judge Mann adjourned the case "
            "at the Old Bailey in London until next week."
        ),
        ["GB"],
    ),
    (
        "firms named after places",
        None,
        (
            "Morgan Stanley and Credit Suisse advised McDonnell Douglas on the sale, and Rio Grande Drilling Co said "
            "it would buy two rigs from Hanover Insurance's unit in Texas."
        ),
        ["US"],
    ),
    (
        "a small capital named like a person, in a team line-up",
        "Borders name side for Ulster match",
        (
            "Borders: Halliday, Douglas, Stanley and Laidlaw; forwards from the Scottish club's academy. The coach "
            "said Douglas would captain the side at home in Galashiels."
        ),
        ["GB"],
    ),
    (
        "airlines named after countries",
        "Air Canada and Korean Air cut fares",
        (
            "Air Canada cut its fares on transatlantic routes from Toronto on Monday, and Air India, Singapore "
            "Airlines and Korean Air said they would follow."
        ),
        ["CA"],
    ),
    (
        "a demonym before a language or a dish",
        None,
        "The school in Berlin now teaches the Russian alphabet to beginners and serves Indian food on Fridays.",
        ["DE"],
    ),
    ("Indian is India, not the Indian Ocean territory", None, "The Indian government raised fuel taxes.", ["IN"]),
    ("a province is its country", None, "Ontario and Quebec agreed a new power line on Tuesday.", ["CA"]),
    ("a former state is its successor", None, "The Soviet Union and West Germany signed a grain deal.", ["RU", "DE"]),
    ("an English name of a German city", None, "HANOVER, West Germany, April 1 - The trade fair opened.", ["DE"]),
    ("an older name of an Indian city", None, "Traders in Bombay sold cotton futures on Monday.", ["IN"]),
    ("Belgrade is Serbia", None, "BELGRADE - Serbia's parliament met on Monday.", ["RS"]),
    (
        "an English word among a country's other spellings is not the country",
        None,
        "The island council voted to close the harbour, and Mann Street was closed for repairs in Leeds.",
        ["GB"],
    ),
    (
        "a currency written with a country's code",
        None,
        "SYDNEY - The miner agreed to pay US$40 million and C$12 million for the two mines in Queensland.",
        ["AU"],
    ),
]


@pytest.mark.parametrize(("case", "title", "body", "expected"), CASES, ids=[case[0] for case in CASES])
def test_exact_country_tags(
    normaliser: Normaliser, case: str, title: str | None, body: str, expected: list[str]
) -> None:
    article = normaliser(RawArticle(url="https://news.example/a", title=title, body=body))
    found = region_tagger()(article)
    assert [country.code for country in found.countries] == expected, case


def test_a_place_after_a_modifier_is_still_the_place(normaliser: Normaliser) -> None:
    article = normaliser(RawArticle(url="https://news.example/a", body="Flooding closed roads in Greater Manchester."))
    assert [country.code for country in region_tagger()(article).countries] == ["GB"]


IMPLICIT = [
    (
        "UK politics that never names the country",
        (
            "Labour MPs rebelled in the House of Commons on Tuesday as the Liberal Democrats and the Tories demanded "
            "that Downing Street publish the advice."
        ),
        ["GB"],
    ),
    ("a nationality noun", "The Swede won the final in straight sets.", ["SE"]),
    ("a seat of government", "The Kremlin said talks would continue.", ["RU"]),
]


@pytest.mark.parametrize(("case", "body", "expected"), IMPLICIT, ids=[case[0] for case in IMPLICIT])
def test_implicit_countries(normaliser: Normaliser, case: str, body: str, expected: list[str]) -> None:
    found = region_tagger()(normaliser(RawArticle(url="https://news.example/a", body=body)))
    assert [country.code for country in found.countries] == expected, case


def test_an_institution_is_weaker_evidence_than_the_country_named(normaliser: Normaliser) -> None:
    body = "PARIS - France and Germany agreed a budget deal; the Bundestag votes on it next week."
    found = region_tagger()(normaliser(RawArticle(url="https://news.example/a", body=body)))
    salience = {country.code: country.salience for country in found.countries}
    assert salience["FR"] == 1.0
    assert salience["DE"] > 0  # Germany named once (1.0) and the Bundestag (0.5)
    assert [e.text for e in found.countries[1].evidence] == ["Germany", "Bundestag"]
