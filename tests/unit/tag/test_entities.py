"""Entities: spans from rules (fast profile) and from spaCy merged with them (full profile), then one entity
per thing named, with aliases resolved within the article and stable ids."""

from __future__ import annotations

import asyncio
import os
import re
import signal
from collections.abc import Iterator

import pytest

from news_ingest.config import TagSettings
from news_ingest.errors import TaggerUnavailable
from news_ingest.models import EntityType
from news_ingest.tag.entities import RuleExtractor, Span, entities, with_short_names
from news_ingest.tag.given_names import is_given_name
from news_ingest.tag.ner import ModelExtractor, consistent, readable
from tests.conftest import region_tagger

TEXT = (
    "Russia and Iran deepen defence ties\n\n"
    "Russian Defence Minister Sergei Shoigu met Iran's chief of staff on Tuesday. Moscow's defence ties with "
    "Tehran have grown since the war in Ukraine, and Shoigu also visited China and met North Korean leader Kim "
    "Jong Un in Russia's Far East. Kim said the Bank of Korea and the International Monetary Fund would help. "
    "Shoigu's trip ended in Vladivostok, the ministry said."
)


def by_id(found: tuple[object, ...]) -> dict[str, object]:
    return {entity.id: entity for entity in found}  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def rules() -> RuleExtractor:
    return RuleExtractor(region_tagger())


def test_fast_profile_finds_people_after_roles_organisations_and_linked_places(rules: RuleExtractor) -> None:
    spans = with_short_names(rules.find(TEXT), TEXT)
    found = by_id(entities(spans, len(TEXT)))
    shoigu = found["person:sergei-shoigu"]
    assert (shoigu.name, shoigu.type, shoigu.mentions) == ("Sergei Shoigu", EntityType.PERSON, 3)  # type: ignore[attr-defined]
    assert found["person:kim-jong-un"].mentions == 2  # type: ignore[attr-defined]  # "Kim" alone resolves to him
    assert found["iso:RU"].name == "Russia"  # type: ignore[attr-defined]
    assert found["iso:RU"].mentions == 2  # type: ignore[attr-defined]  # Russia, Russia's (the demonym is no place)
    assert "geonames:524901" in found  # Moscow: a city keeps its own GeoNames id, apart from its country
    assert {"org:bank-of-korea", "org:international-monetary-fund"} <= set(found)
    assert TEXT[shoigu.first_offset :].startswith("Sergei Shoigu")  # type: ignore[attr-defined]


def test_salience_is_relative_and_ordered(rules: RuleExtractor) -> None:
    found = entities(with_short_names(rules.find(TEXT), TEXT), len(TEXT))
    assert found[0].salience == 1.0
    assert [e.salience for e in found] == sorted((e.salience for e in found), reverse=True)


def test_a_one_word_mention_joins_the_person_named_in_full_and_an_acronym_its_organisation() -> None:
    text = "World Health Organization officials met Angela Merkel. Merkel said WHO would help."
    spans = [Span(0, 25, EntityType.ORG, "World Health Organization"), Span(40, 53, EntityType.PERSON, "Angela Merkel"),
             Span(55, 61, EntityType.PERSON, "Merkel"), Span(67, 70, EntityType.ORG, "WHO")]  # fmt: skip
    found = by_id(entities(spans, len(text)))
    assert set(found) == {"org:world-health-organization", "person:angela-merkel"}
    assert found["person:angela-merkel"].mentions == 2  # type: ignore[attr-defined]
    assert found["org:world-health-organization"].mentions == 2  # type: ignore[attr-defined]


def test_possessives_are_stripped_from_names() -> None:
    found = entities([Span(0, 8, EntityType.PERSON, "Shoigu's")], 20)
    assert (found[0].id, found[0].name) == ("person:shoigu", "Shoigu")


@pytest.fixture(scope="module")
def model(rules: RuleExtractor) -> Iterator[ModelExtractor]:
    settings = TagSettings()
    extractor = ModelExtractor(rules, model=settings.ner_model, processes=1, max_chars=settings.ner_max_chars)
    yield extractor
    extractor.close()


def test_full_profile_merges_the_model_with_rules_and_links_places(model: ModelExtractor) -> None:
    (spans,) = asyncio.run(model.spans([TEXT]))
    found = by_id(entities(spans, len(TEXT)))
    assert found["person:sergei-shoigu"].mentions >= 3  # type: ignore[attr-defined]
    assert "person:kim-jong-un" in found
    assert {"iso:RU", "iso:IR", "iso:UA", "iso:CN"} <= set(found)  # spaCy's places, linked to the gazetteer
    assert "geonames:2013348" in found  # Vladivostok


def test_full_profile_reads_only_the_first_max_chars_with_the_model(rules: RuleExtractor) -> None:
    settings = TagSettings()
    short = ModelExtractor(rules, model=settings.ner_model, processes=1, max_chars=120)
    try:
        (spans,) = asyncio.run(short.spans([TEXT]))
    finally:
        short.close()
    late = [span for span in spans if span.start > 120 and span.type is EntityType.PERSON]
    assert all(span.text in {"Shoigu", "Kim", "Kim Jong Un"} for span in late)  # rules and short names only


def test_all_caps_lines_are_shown_to_the_model_in_title_case_with_offsets_kept() -> None:
    text = "SOCCER - JAPAN BEAT SYRIA 2-1\nJapan began the defence of their title ."
    shown = readable(text)
    assert shown.split("\n")[0] == "Soccer - Japan Beat Syria 2-1"
    assert len(shown) == len(text)
    assert shown.split("\n")[1] == text.split("\n")[1]


def test_a_name_gets_one_label_per_article_also_where_the_model_missed_it() -> None:
    text = "Barcelona won . Barcelona fans cheered as Barcelona coach Bobby Robson smiled ."
    at = [m.start() for m in re.finditer("Barcelona", text)]
    robson = text.index("Bobby Robson")
    spans = [
        Span(at[0], at[0] + 9, EntityType.ORG, "Barcelona"),
        Span(at[1], at[1] + 9, EntityType.LOC, "Barcelona"),
        Span(robson, robson + 12, EntityType.PERSON, "Bobby Robson"),
    ]  # the model missed the third Barcelona
    found = consistent(spans, text)  # fmt: skip
    assert [(s.start, s.type) for s in found if s.text == "Barcelona"] == [(n, EntityType.ORG) for n in at]
    assert any(s.text == "Bobby Robson" for s in found)  # tie in votes: the first label met wins


def test_a_dead_ner_worker_is_a_retriable_failure_and_the_next_batch_works(rules: RuleExtractor) -> None:
    settings = TagSettings()
    extractor = ModelExtractor(rules, model=settings.ner_model, processes=1, max_chars=settings.ner_max_chars)
    try:
        asyncio.run(extractor.spans([TEXT]))  # the worker process is up
        for process in list(extractor._pool._processes.values()):  # type: ignore[union-attr]
            os.kill(process.pid, signal.SIGKILL)
        with pytest.raises(TaggerUnavailable) as failure:
            asyncio.run(extractor.spans([TEXT]))
        assert failure.value.retriable
        (spans,) = asyncio.run(extractor.spans([TEXT]))  # a new pool took over
        assert any(span.text == "Sergei Shoigu" for span in spans)
    finally:
        extractor.close()


def test_the_event_loop_keeps_running_while_the_model_works(model: ModelExtractor) -> None:
    """Heartbeats and /metrics are served by the event loop: it must not wait for the model."""

    async def tagging_while_ticking() -> int:
        ticks = 0
        work = asyncio.ensure_future(model.spans([TEXT] * 200))
        while not work.done():
            await asyncio.sleep(0.01)
            ticks += 1
        await work
        return ticks

    assert asyncio.run(tagging_while_ticking()) >= 20  # the loop ran on through the whole batch


def test_a_known_acronym_counts_only_as_a_word_of_its_own(rules: RuleExtractor) -> None:
    text = "NATO's envoy met UNICEF staff; NATOS, XNATO and NATO_2 are not the alliance, nor is the UN in UNITY."
    found = [(span.text, text[: span.start].count(" ")) for span in rules.find(text) if span.type is EntityType.ORG]
    assert found == [("NATO", 0), ("UNICEF", 3), ("UN", 16)]


def test_given_names_come_from_many_countries_but_not_from_common_words() -> None:
    assert all(is_given_name(name) for name in ("Tony", "Mauro", "Philippe", "Cyril", "Agnieszka"))
    assert not any(is_given_name(word) for word in ("Blessing", "Comfort", "Milan", "China", "May"))


def test_a_cyclist_with_an_italian_given_name_is_a_person(rules: RuleExtractor) -> None:
    text = "Cycling results\n\nMauro Trentino won the sprint ahead of Cyril Bosquet, and the stage went on."
    found = {entity.name: entity.type for entity in entities(rules.finish(rules.find(text), text), len(text))}
    assert found.get("Mauro Trentino") is EntityType.PERSON
    assert found.get("Cyril Bosquet") is EntityType.PERSON


def test_name_boundaries_hold_the_whole_name_and_no_punctuation(rules: RuleExtractor) -> None:
    text = (
        "SHIPYARD - BLAIR VISITS\n\n"
        "The U.S. Defence Department said Halvard Machine Co Ltd <HALV.T> would build the ships, and that "
        "C. Brandt and Co and Warren Finance had lent the money. Hayley Mills, a director, agreed."
    )
    found = {entity.name: entity.type for entity in entities(rules.finish(rules.find(text), text), len(text))}
    assert found.get("U.S. Defence Department") is EntityType.ORG  # not "S. Defence Department"
    assert found.get("Halvard Machine Co Ltd") is EntityType.ORG  # not "... Ltd>"
    assert found.get("C. Brandt") is EntityType.ORG  # a firm: "and Co" follows
    assert found.get("Warren Finance") is EntityType.ORG  # a given name, then a firm's word
    assert found.get("Hayley Mills") is EntityType.PERSON  # a surname that is also a firm's word
    assert not [name for name in found if not name[:1].isalnum()]


def test_names_with_accented_letters_are_whole_and_their_ids_are_ascii(rules: RuleExtractor) -> None:
    text = (
        "Former mayor dies at 91\n\n"
        "Former mayor Henrik Sørbø died on Monday, his family said. Minister Zoë Kähler and Ángel Muñoz Peña, "
        "who had worked with him, spoke at a service attended by Recep Özdemir. Mr Sørbø was 91."
    )
    found = {entity.name: entity for entity in entities(rules.finish(rules.find(text), text), len(text))}
    assert found["Henrik Sørbø"].type is EntityType.PERSON  # not "Henrik S" cut at the first accented letter
    assert found["Henrik Sørbø"].mentions == 2  # "Mr Sørbø" joins him
    assert found["Henrik Sørbø"].id == "person:henrik-sorbo"  # "ø" has no decomposition: mapped, not dropped
    assert found["Zoë Kähler"].id == "person:zoe-kahler"
    assert found["Ángel Muñoz Peña"].type is EntityType.PERSON  # a capital with an accent starts a name too
    assert found["Recep Özdemir"].type is EntityType.PERSON


def test_dates_and_timestamps_are_no_names_and_a_dated_month_is_cut_off_a_name(rules: RuleExtractor) -> None:
    text = (
        "Ferry terminal to close\n\nPublished: Tuesday, March 3, 2020, 13:51 (GMT)\n\n"
        "Councillor Ada Penrose recalled Harbour Commission Oct. 21 talks, and said Theresa May had written to "
        "her. Tickets for the Quayside Arena June 23 concert were sold, the Harbour Sun reported on Wed, Mar 4."
    )
    found = {entity.name for entity in entities(rules.finish(rules.find(text), text), len(text))}
    assert not [name for name in found if any(word in name for word in ("Tuesday", "Wed", "Published", "Oct"))]
    assert "Harbour Commission" in found  # not "Harbour Commission Oct"
    assert "Theresa May" in found  # a month name closing a name, with no day after it, is the name's
    assert not [name for name in found if name.endswith("June")]


def test_a_persons_possessive_ends_the_name_and_a_joined_name_keeps_its_own(rules: RuleExtractor) -> None:
    text = (
        "Ferry plans split the council\n\nCouncillor Ada Penrose said Tobias Wren's Harbour Plan was too "
        "costly, while the People's Transport Union backed it. Tobias Wren said he would go on."
    )
    found = {entity.name for entity in entities(rules.finish(rules.find(text), text), len(text))}
    assert "Tobias Wren" in found
    assert not [name for name in found if "Wren's" in name or name.startswith("Wren")]
    assert "People's Transport Union" in found  # a possessive inside an organisation's own name stays
    text = (
        "Ferry firm sold\n\nLena Varga said Varga's Harbour Holdings was sold. Orvik's Rating Service agreed; "
        "Orvik's said so."
    )
    found = {entity.name for entity in entities(rules.finish(rules.find(text), text), len(text))}
    assert "Varga's Harbour Holdings" not in found  # the owner is named alone too: her firm is its own name
    assert "Orvik's Rating Service" in found  # a firm always written with its possessive keeps it


def test_one_entity_per_thing_across_first_names_acronyms_and_unlinked_places() -> None:
    text = (
        "Ozzy Osbourne plays Cardiff\n\nOzzy Osbourne will play in Wales in May, and Ozzy said the tour was his "
        "last. The U.S. International Trade Commission said the ITC would rule on tickets. Wales waits."
    )
    spans = [Span(0, 13, EntityType.PERSON, "Ozzy Osbourne"), Span(29, 42, EntityType.PERSON, "Ozzy Osbourne"),
             Span(56, 61, EntityType.LOC, "Wales", "geonames:2634895"), Span(74, 78, EntityType.PERSON, "Ozzy"),
             Span(111, 146, EntityType.ORG, "U.S. International Trade Commission"),
             Span(156, 159, EntityType.ORG, "ITC"), Span(183, 188, EntityType.LOC, "Wales")]  # fmt: skip
    assert [text[s.start : s.end] for s in spans][2:] == ["Wales", "Ozzy", spans[4].text, "ITC", "Wales"]
    found = by_id(entities(spans, len(text)))
    assert found["person:ozzy-osbourne"].mentions == 3  # type: ignore[attr-defined]
    assert found["org:u-s-international-trade-commission"].mentions == 2  # type: ignore[attr-defined]
    assert [entity.id for entity in found.values() if entity.name == "Wales"] == ["geonames:2634895"]  # type: ignore[attr-defined]


def test_a_generic_body_alone_is_no_entity(rules: RuleExtractor) -> None:
    text = "The Labour Party met on Monday. The Party said the Commission and the Department would report."
    names = {entity.name for entity in entities(rules.finish(rules.find(text), text), len(text))}
    assert "Labour Party" in names
    assert not {"Party", "Commission", "Department"} & names


def test_one_word_the_model_reads_as_person_and_organisation_is_the_organisation() -> None:
    text = "Skyvane orders jets. Skyvane said Skyvane would fly them, and Skyvane chief Tom Rudd agreed. Rudd smiled."
    at = [m.start() for m in re.finditer("Skyvane", text)]
    spans = [Span(at[0], at[0] + 7, EntityType.ORG, "Skyvane"), Span(at[1], at[1] + 7, EntityType.PERSON, "Skyvane"),
             Span(at[2], at[2] + 7, EntityType.PERSON, "Skyvane"), Span(at[3], at[3] + 7, EntityType.ORG, "Skyvane"),
             Span(text.find("Tom Rudd"), text.find("Tom Rudd") + 8, EntityType.PERSON, "Tom Rudd"),
             Span(text.find("Rudd smiled"), text.find("Rudd smiled") + 4, EntityType.PERSON, "Rudd")]  # fmt: skip
    types = {(s.text, s.type) for s in consistent(spans, text)}
    assert ("Skyvane", EntityType.PERSON) not in types
    assert ("Skyvane", EntityType.ORG) in types
    assert ("Rudd", EntityType.PERSON) in types


def test_an_acronym_in_a_sentence_is_a_name_and_a_unit_is_not(rules: RuleExtractor) -> None:
    text = "Carmakers ask for loans\n\nThe carmaker GM said it needs more loans, and the new phone holds 64 GB of data."
    spans = [Span(text.find("GM"), text.find("GM") + 2, EntityType.ORG, "GM"),
             Span(text.find("GB"), text.find("GB") + 2, EntityType.ORG, "GB")]  # fmt: skip
    kept = {s.text for s in rules.finish(spans, text)}
    assert "GM" in kept
    assert "GB" not in kept


def test_an_athlete_before_a_country_in_parentheses_is_a_person_and_a_club_before_its_goals_is_not(
    model: ModelExtractor, rules: RuleExtractor
) -> None:
    text = (
        "ATHLETICS - ZAGREB MEETING RESULTS\n1. Ilsa Varnhagen ( Germany ) 15:04.95\n"
        "2. Oyelaran Adebisi ( Nigeria ) 15:05.21\nCUP: Blue Star Vukovar ( Croatia ) 2 Lisbon ( Portugal ) 1"
    )
    athlete = text.index("Oyelaran Adebisi")
    raw = [(athlete, athlete + len("Oyelaran Adebisi"), "ORG")]  # how the model reads many such lines
    merged = {span.text: span.type for span in model.merge(text, raw)}
    assert merged["Oyelaran Adebisi"] is EntityType.PERSON
    found = {span.text: span.type for span in rules.find(text)}
    assert found["Ilsa Varnhagen"] is EntityType.PERSON
    assert "Blue Star Vukovar" not in found or found["Blue Star Vukovar"] is not EntityType.PERSON


def test_a_firm_is_one_entity_by_its_first_word_and_by_the_short_name_given_in_parentheses(
    rules: RuleExtractor,
) -> None:
    text = (
        "Brevik's Rating Service cut Ostrander on Monday. Brevik's said the outlook was poor.\n"
        "General Harwood Motors was not listed, and General Ames said nothing."
    )
    (spans,) = asyncio.run(rules.spans([text]))
    found = by_id(entities(spans, len(text), text))
    assert found["org:brevik-s-rating-service"].mentions == 2  # type: ignore[attr-defined]
    assert not any(key.startswith("org:general") and key != "org:general-harwood-motors" for key in found)
    text = "Trading stopped on the Lakeshore Stock Exchange (Lakex). The Lakex reopened later."
    at = [text.index(name) for name in ("Lakeshore Stock Exchange", "Lakex", "The Lakex")]
    spans = [
        Span(at[0], at[0] + 24, EntityType.ORG, "Lakeshore Stock Exchange"),
        Span(at[1], at[1] + 5, EntityType.ORG, "Lakex"),
        Span(at[2] + 4, at[2] + 9, EntityType.ORG, "Lakex"),
    ]
    found = by_id(entities(spans, len(text), text))
    assert list(found) == ["org:lakeshore-stock-exchange"]
    assert found["org:lakeshore-stock-exchange"].mentions == 3  # type: ignore[attr-defined]


def test_well_known_firms_are_organisations_without_a_model_and_a_word_needs_a_capital_inside_a_sentence(
    rules: RuleExtractor,
) -> None:
    def types(text: str) -> dict[str, EntityType]:
        (spans,) = asyncio.run(rules.spans([text]))
        return {span.text: span.type for span in spans}

    found = types("Boeing beats Airbus to tanker deal\n\nThe order, worth $40bn, went to Boeing over Toyota rivals.")
    assert found.get("Boeing") is EntityType.ORG
    assert found.get("Airbus") is EntityType.ORG
    assert found.get("Toyota") is EntityType.ORG
    assert "Apple" not in types("Apple harvest is late\n\nGrowers said the apple crop had suffered from frost.")
    assert types("Apple shares rise\n\nInvestors bought Apple after the launch.").get("Apple") is EntityType.ORG
    found = types("Harrison Ford returns\n\nThe actor Harrison Ford said the film was his last. Ford smiled.")
    assert found.get("Harrison Ford") is EntityType.PERSON
    assert found.get("Ford") is EntityType.PERSON


def test_a_firm_whose_name_joins_two_names_with_and_is_one_organisation_in_both_profiles(
    rules: RuleExtractor, model: ModelExtractor
) -> None:
    text = (
        "Harlow and Wendt Plc said on Monday it would sell its stake. Brisk Marine and Fire Insurance Co rose, "
        "as did Ostrava and Danube Banking Corp. Velder and Amsel Co fell. General Motors and Ford Motor Co cut prices."
    )
    for extractor in (rules, model):
        (spans,) = asyncio.run(extractor.spans([text]))
        orgs = {span.text for span in spans if span.type is EntityType.ORG}
        assert {"Harlow and Wendt Plc", "Brisk Marine and Fire Insurance Co", "Velder and Amsel Co"} <= orgs
        assert "Ostrava and Danube Banking Corp." in orgs
        assert {"General Motors", "Ford Motor Co"} <= orgs  # two firms, each named whole
        assert not any(name.startswith(("Wendt", "Fire", "Amsel", "Danube")) for name in orgs)


def test_mentions_of_one_name_typed_differently_make_one_entity_whose_type_their_votes_decide() -> None:
    text = "Ostrander Vell bid for Kessock. Ostrander said Kessock shares rose. Ostrander will pay cash; Gazprom too."
    at = {name: [m.start() for m in re.finditer(re.escape(name), text)] for name in ("Ostrander", "Kessock")}
    spans = [
        Span(0, 14, EntityType.PERSON, "Ostrander Vell"),  # a firm the model read as a person once
        Span(at["Ostrander"][1], at["Ostrander"][1] + 9, EntityType.ORG, "Ostrander"),
        Span(at["Ostrander"][2], at["Ostrander"][2] + 9, EntityType.ORG, "Ostrander"),
        Span(at["Kessock"][0], at["Kessock"][0] + 7, EntityType.LOC, "Kessock"),
        Span(at["Kessock"][1], at["Kessock"][1] + 7, EntityType.ORG, "Kessock"),
        Span(text.index("Gazprom"), text.index("Gazprom") + 7, EntityType.LOC, "Gazprom"),
    ]
    found = {(entity.id, entity.type, entity.mentions) for entity in entities(spans, len(text), text)}
    assert ("org:ostrander-vell", EntityType.ORG, 3) in found  # the short name joins, and the firm is a firm
    assert len([entity_id for entity_id, _, _ in found if "kessock" in entity_id]) == 1  # one entity, not two
    assert ("org:gazprom", EntityType.ORG, 1) in found  # a well-known firm, whatever the model said


def test_two_firms_joined_by_and_stay_two_when_the_first_is_named_alone_and_a_joined_name_has_its_short_form(
    rules: RuleExtractor,
) -> None:
    text = (
        "The board followed the advice of Brevik and Ostrander Systems Inc, it said. Brevik said it was pleased. "
        "Harlow and Wendt Plc agreed. Harlow and Wendt, which holds a stake, said no."
    )
    (spans,) = asyncio.run(rules.spans([text]))
    found = {entity.name: entity.mentions for entity in entities(spans, len(text), text)}
    assert "Brevik and Ostrander Systems Inc" not in found
    assert found.get("Ostrander Systems Inc") == 1
    assert found.get("Harlow and Wendt Plc") == 2
    assert "Wendt" not in found


def test_a_person_named_in_full_once_stays_a_person_and_a_sentence_opener_is_cut_from_a_name(
    rules: RuleExtractor,
) -> None:
    text = "Kelly Holmes won. Holmes led from the start, and Holmes said Holmes was thrilled."
    at = [m.start() for m in re.finditer("Holmes", text)]
    spans = [Span(0, 12, EntityType.PERSON, "Kelly Holmes")]
    spans += [Span(start, start + 6, EntityType.ORG, "Holmes") for start in at[1:]]  # a model's misreading
    (holmes,) = entities(spans, len(text), text)
    assert (holmes.name, holmes.type, holmes.mentions) == ("Kelly Holmes", EntityType.PERSON, 4)
    text = "Nevertheless Harbour Lights won the award."
    (found,) = rules.finish([Span(0, 27, EntityType.ORG, "Nevertheless Harbour Lights")], text)
    assert found.text == "Harbour Lights"


def test_a_firm_named_like_a_person_by_its_trade_word_and_a_place_possessive_cut_from_a_firm(
    rules: RuleExtractor,
) -> None:
    text = "Britain's Harlow Group PLC said sales rose. Piper Aircraft said it would hire."
    found = rules.finish(
        [Span(0, 25, EntityType.ORG, "Britain's Harlow Group PLC"), Span(44, 58, EntityType.ORG, "Piper Aircraft")],
        text,
    )
    assert [(span.text, span.type) for span in found] == [
        ("Harlow Group PLC", EntityType.ORG),
        ("Piper Aircraft", EntityType.ORG),  # a given name and a word, but "Aircraft" says firm
    ]
