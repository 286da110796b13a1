"""Results and standings lines: a name followed by a score is a club; countries stay places, people people."""

from __future__ import annotations

import pytest

from news_ingest.models import EntityType
from news_ingest.tag.entities import RuleExtractor, Span
from news_ingest.tag.teams import team_spans
from tests.conftest import region_tagger

ROUND_UP = (
    "SOCCER - NORTHERN LEAGUE RESULTS\n\n"
    "Results of Northern League matches on Saturday:\n"
    "Leeds 2 Chelsea 1\n"
    "Harbour Rovers 0 Millbrook Athletic 0\n"
    "England 3 Wales 1\n"
    "Standings (played, won, drawn, lost, goals for, against, points):\n"
    "Leeds 10 7 2 1 20 9 23\n"
    "DETROIT AT BOSTON\n\n"
    "Leeds extended their lead at the top after police in Leeds said 3 people were hurt before the match.\n"
    "1. Maria Lopez (Spain) 2:21:05"
)


def names(text: str) -> list[str]:
    return [text[start:end] for start, end in team_spans(text)]


def test_names_followed_by_scores_on_results_lines_are_teams() -> None:
    assert names(ROUND_UP) == ["Leeds", "Chelsea", "Harbour Rovers", "Millbrook Athletic", "England", "Wales",
                               "Leeds", "DETROIT", "BOSTON"]  # fmt: skip


@pytest.mark.parametrize(
    "line",
    [
        "Police in Leeds said 3 people were hurt.",  # prose: lower-case words
        "1. Maria Lopez (Spain) 2:21:05",  # a ranked competitor with her nationality
        "Pedro Alves (Brazil) 1",  # a name with a nationality in parentheses is a person
        "5. Okafor 12",  # a rank before the name
        "",
    ],
)
def test_prose_and_ranked_competitors_are_not_teams(line: str) -> None:
    assert names(line) == []


def test_players_figures_in_parentheses_are_not_teams() -> None:
    line = "Northshire 259 and 207 (J. Amesbury 69, K. Patel 4-43), Westmoor 114"
    assert names(line) == ["Northshire", "Westmoor"]


def test_clubs_become_organisations_everywhere_in_the_article_and_countries_stay_places() -> None:
    rules = RuleExtractor(region_tagger())
    found = rules.find(ROUND_UP)
    leeds = [s for s in found if s.text == "Leeds"]
    assert len(leeds) == 4  # two table lines and the two prose mentions
    assert {s.type for s in leeds} == {EntityType.ORG}
    assert {s.type for s in found if s.text in ("England", "Wales")} == {EntityType.LOC}
    assert all(s.link is None for s in leeds), "a club is not linked to the city's GeoNames id"


def test_a_model_person_on_a_results_line_gives_way_to_the_team() -> None:
    rules = RuleExtractor(region_tagger())
    text = "Harbour Rovers 0 Millbrook Athletic 0"
    person = Span(0, 14, EntityType.PERSON, "Harbour Rovers")
    merged = rules.with_teams([person], text)
    assert [(s.text, s.type) for s in merged] == [("Harbour Rovers", EntityType.ORG),
                                                  ("Millbrook Athletic", EntityType.ORG)]  # fmt: skip


def test_in_a_sports_article_a_sports_verb_names_a_team_and_a_list_shares_it() -> None:
    text = (
        "CRICKET - NORTHSHIRE GO TOP\n\n"
        "Northshire beat Leeds by an innings on Friday to take over at the top of the championship, and title "
        "rivals Wakefield, Sheffield and Bradford all closed in on victory in their match against Doncaster. "
        "The wickets fell fast and the season ends next week; Leeds fans left early. Australia drew with England."
    )
    rules = RuleExtractor(region_tagger())
    spans = rules.find(text)
    types = {text[s.start : s.end]: s.type for s in spans}
    assert {types.get(name) for name in ("Leeds", "Wakefield", "Sheffield", "Bradford", "Doncaster")} == {
        EntityType.ORG
    }
    assert types.get("Australia") is EntityType.LOC  # a national side stays its country
    assert types.get("England") is EntityType.LOC


def test_outside_sport_the_same_verbs_name_no_team() -> None:
    text = "Leeds beat Bradford to the new rail link, the council said, after a long campaign for investment."
    rules = RuleExtractor(region_tagger())
    types = {text[s.start : s.end]: s.type for s in rules.find(text)}
    assert types.get("Leeds") is EntityType.LOC
    assert types.get("Bradford") is EntityType.LOC


def test_a_place_before_a_squad_role_or_either_side_of_v_is_a_club_in_sports_copy() -> None:
    text = (
        "Hoddle names his squad\n\n"
        "The new coach said the former Blackburn and Southampton skipper would captain the side in the league. "
        "Keith Arnott of Norwich joins up front; Bolton's manager and the Leeds fans cheered the draw.\n"
        "Postponed: Wakefield v Doncaster, Sheffield v Bradford\n"
        "The Olympic champion and the Northern Hemisphere coach spoke; England drew 1-1 with Australia."
    )
    rules = RuleExtractor(region_tagger())
    types = {text[s.start : s.end]: s.type for s in rules.find(text)}
    clubs = ("Blackburn", "Southampton", "Bolton", "Leeds", "Wakefield", "Doncaster", "Sheffield", "Bradford")
    assert {name: types.get(name) for name in clubs} == dict.fromkeys(clubs, EntityType.ORG)
    assert types.get("England") is EntityType.LOC
    assert types.get("Olympic") is not EntityType.ORG
    assert types.get("Northern Hemisphere") is not EntityType.ORG
