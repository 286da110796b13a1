"""The fast profile's last pass: capitalised words and acronyms no pattern introduced, typed only where the
article says what they are; and a person's or organisation's other forms (headline capitals, a given name)."""

from __future__ import annotations

import pytest

from news_ingest.models import EntityType
from news_ingest.tag.entities import RuleExtractor, entities
from tests.conftest import region_tagger


@pytest.fixture(scope="module")
def rules() -> RuleExtractor:
    return RuleExtractor(region_tagger())


def named(rules: RuleExtractor, text: str) -> dict[str, EntityType]:
    return {entity.name: entity.type for entity in entities(rules.finish(rules.find(text), text), len(text))}


def test_a_firm_with_no_organisation_word_is_found_by_what_the_article_says_of_it(rules: RuleExtractor) -> None:
    text = (
        "Budget carrier profits rise\n\n"
        "Passenger numbers at Skyvane rose by a fifth in the year, and Skyvane's shares gained 4% in Dublin. "
        "Analysts said the figures showed that Skyvane had taken passengers from older airlines."
    )
    assert named(rules, text).get("Skyvane") is EntityType.ORG


def test_a_capital_inside_the_word_is_a_firm_and_a_surname_prefix_is_not(rules: RuleExtractor) -> None:
    text = "Results at TrestleBank beat forecasts, and shareholders of TrestleBank were told of a new dividend."
    assert named(rules, text).get("TrestleBank") is EntityType.ORG
    text = "The bill was drafted by McGarrity, and the chairman thanked McGarrity for his work on it."
    assert named(rules, text).get("McGarrity") is not EntityType.ORG


def test_a_word_with_nothing_telling_around_it_or_named_once_is_left_alone(rules: RuleExtractor) -> None:
    text = "The ferry left on time, and passengers on the Kelvane route and the Kelvane pier saw no delay."
    assert "Kelvane" not in named(rules, text)
    assert "Orvane" not in named(rules, "Profits rose, and shareholders of Orvane were paid a dividend.")


def test_words_after_the_and_calendar_words_are_no_names(rules: RuleExtractor) -> None:
    text = (
        "Ministers met on Tuesday, and the Budget was agreed. Officials said the Budget would be published, "
        "and the Government said its plans were costed."
    )
    found = named(rules, text)
    assert not {"Budget", "Government", "Tuesday"} & set(found)


def test_a_person_is_typed_by_a_pronoun_or_what_they_say(rules: RuleExtractor) -> None:
    text = (
        "Striker leaves for Spain\n\n"
        "The club confirmed on Friday that Ostrova had agreed terms, and that he would join in July. "
        "Fans were told of the move by Ostrova, who thanked them."
    )
    assert named(rules, text).get("Ostrova") is EntityType.PERSON


def test_an_acronym_is_an_organisation_when_defined_or_used_in_prose_and_a_unit_is_not(rules: RuleExtractor) -> None:
    text = (
        "Monitors report on vote\n\n"
        "The Organisation for Regional Cooperation ( ORCO ) sent observers to the vote. "
        "Prices rose 2.1 percent in the year, the fastest since 1990, and GDP grew faster than expected. "
        "The outfielder had three RBI and two hits in the game on Sunday."
    )
    found = named(rules, text)
    assert found.get("ORCO") is EntityType.ORG
    assert "GDP" not in found
    assert "RBI" not in found
    text = "Talks ended early. The KLP said it would return, and officials of the KLP met ministers again on Monday."
    assert named(rules, text).get("KLP") is EntityType.ORG
    assert "KLP" not in named(rules, "KLP TALKS END\n\nTalks ended early and nothing was agreed by anyone.")


def test_a_headline_in_capitals_and_a_given_name_alone_join_the_person_named_in_full(rules: RuleExtractor) -> None:
    text = (
        "SOCCER - HARDCASTLE NAMED CAPTAIN\n\n"
        'The forward Tony Hardcastle was named captain on Friday. " I am sure Tony is the man for the job , " '
        "the coach said. Hardcastle takes over at once."
    )
    found = entities(rules.finish(rules.find(text), text), len(text))
    hardcastle = next(entity for entity in found if entity.name == "Tony Hardcastle")
    assert hardcastle.type is EntityType.PERSON
    assert hardcastle.mentions == 4  # HARDCASTLE, Tony Hardcastle, Tony, Hardcastle
    assert len([entity for entity in found if entity.type is EntityType.PERSON]) == 1


def test_a_given_name_two_people_share_stays_apart(rules: RuleExtractor) -> None:
    text = "Tony Hardcastle and Tony Birchall both scored. Tony was the better of the two, the coach said."
    found = entities(rules.finish(rules.find(text), text), len(text))
    people = {entity.name: entity.mentions for entity in found if entity.type is EntityType.PERSON}
    assert people.get("Tony Hardcastle") == 1
    assert people.get("Tony Birchall") == 1


def test_an_airline_named_after_a_place_is_one_organisation(rules: RuleExtractor) -> None:
    text = "Air France cut 200 flights, and Air New Zealand and Air Canada said their flights from Paris would run."
    found = named(rules, text)
    assert {found.get(name) for name in ("Air France", "Air New Zealand", "Air Canada")} == {EntityType.ORG}
    assert "France" not in found
    assert found.get("Paris") is EntityType.LOC
