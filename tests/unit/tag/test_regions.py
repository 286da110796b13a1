"""Region tags on articles written for these tests: which countries, which one is primary, and why."""

from __future__ import annotations

import pytest

from news_ingest.app import shared_gazetteer
from news_ingest.models import Article, RawArticle, Regions
from news_ingest.normalise.stage import Normaliser
from news_ingest.tag.regions import RegionTagger
from tests.conftest import region_tagger

DEFENCE = (
    "MOSCOW, Russia - Russian Defence Minister Sergei Shoigu met Iran's chief of staff on Tuesday. Moscow's "
    "defence ties with Tehran have grown since the war in Ukraine, and Shoigu also visited China and met North "
    "Korean leader Kim Jong Un in Russia's Far East."
)


def article(
    normaliser: Normaliser, body: str, *, title: str | None = None, url: str = "https://news.example/a"
) -> Article:
    return normaliser(RawArticle(url=url, title=title, body=body))


def regions(normaliser: Normaliser, body: str, **fields: str) -> Regions:
    return region_tagger()(article(normaliser, body, **fields))


def codes(found: Regions) -> list[str]:
    return [country.code for country in found.countries]


def test_dateline_country_is_primary_and_metonyms_and_demonyms_tag_their_countries(normaliser: Normaliser) -> None:
    found = regions(normaliser, DEFENCE, title="Russia and Iran deepen defence ties")
    assert found.primary_country == "RU"
    assert codes(found) == ["RU", "IR", "UA", "CN", "KP"]  # Kim and Un are not cities
    russia = found.countries[0]
    assert (russia.name, russia.continent, russia.subregion, russia.salience) == ("Russia", "EU", "Eastern Europe", 1.0)
    assert [(e.text, e.field) for e in russia.evidence][:3] == [("MOSCOW", "dateline"), ("Russia", "title"),
                                                                ("Russian", "body")]  # fmt: skip
    assert [e.text for e in found.countries[1].evidence] == ["Iran", "Iran", "Tehran"]  # title, body, capital
    assert found.countries[-1].evidence[0].text == "North Korean"  # the longest name wins over "Korea"


def test_evidence_spans_point_at_the_mention_in_its_field(normaliser: Normaliser) -> None:
    cleaned = article(normaliser, DEFENCE, title="Russia and Iran deepen defence ties")
    for country in region_tagger()(cleaned).countries:
        for evidence in country.evidence:
            text = {"title": cleaned.title or "", "body": cleaned.body, "dateline": cleaned.dateline.text or ""}
            assert text[evidence.field][evidence.start : evidence.end].lower() == evidence.text.lower()


def test_salience_separates_the_story_from_passing_mentions(normaliser: Normaliser) -> None:
    found = regions(normaliser, "Kenyan runners won in Nairobi and Kenya's president cheered. A Ugandan was third.")
    assert codes(found) == ["KE", "UG"]
    assert found.primary_country == "KE"
    assert found.countries[1].salience < 0.5 <= found.countries[0].salience


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Officials in Paris said the museum would reopen on Monday.", ["FR"]),
        ("The county fair in Paris, Texas drew a record crowd on Saturday.", ["US"]),
        ("Protesters gathered in Tbilisi as Georgia's parliament debated the foreign agents bill.", ["GE"]),
        ("Voters in Georgia queued for hours, and officials in Atlanta promised more polling stations.", ["US"]),
        ("Georgia scored twice in the second half.", []),  # a team, a person or a place: left out
        ("Michael Jordan bought another golf course and Chad Smith played drums.", []),
        ("Jordan reopened its border crossing with Syria on Sunday.", ["JO", "SY"]),
        ("Turkey dinner prices rose ahead of Thanksgiving, farmers said.", []),
        ("Turkey's president met his Greek counterpart in Ankara.", ["TR", "GR"]),
        ("Latin American leaders met in Panama City to discuss migration.", ["PA"]),
        ("Nice weather helped the harvest, and reading the forecast was easy.", []),
        ("RUSSIA AND CHINA SIGN GAS DEAL", ["RU", "CN"]),
    ],
)
def test_ambiguous_names_are_read_by_their_context(normaliser: Normaliser, body: str, expected: list[str]) -> None:
    assert codes(regions(normaliser, body)) == expected


def test_site_chrome_removed_by_normalise_never_produces_a_tag(normaliser: Normaliser) -> None:
    body = (
        "Farmers in Kenya expect a larger maize harvest after the long rains, the agriculture ministry said.\n\n"
        "United States Latest News, United States Headlines\n\n"
        "Similar News: You can also read news stories similar to this one that we have collected from other news "
        "sources."
    )
    assert codes(regions(normaliser, body)) == ["KE"]


def test_the_outlet_country_comes_from_a_country_domain_and_is_kept_apart(normaliser: Normaliser) -> None:
    found = regions(normaliser, "Brazil's central bank cut its key rate.", url="https://www.news.example.co.uk/a")
    assert (found.outlet_country, codes(found)) == ("GB", ["BR"])
    generic = regions(normaliser, "Brazil's central bank cut its key rate.", url="https://news.example.tv/a")
    assert generic.outlet_country is None


def test_an_article_with_no_places_has_no_regions(normaliser: Normaliser) -> None:
    found = regions(normaliser, "The committee will publish its findings after the summer recess, a spokesman said.")
    assert (found.primary_country, found.countries) == (None, ())


def test_passing_mentions_below_the_salience_floor_are_left_out(normaliser: Normaliser) -> None:
    body = (
        "BERLIN - German exporters expect a weaker year, the Berlin trade body said on Monday, as orders from "
        "German and Dutch buyers fell.\n\nA delegation from Japan visited in May."
    )
    every = region_tagger()(article(normaliser, body))
    floored = RegionTagger(shared_gazetteer(), min_salience=0.25)(article(normaliser, body))
    japan = next(country for country in every.countries if country.code == "JP")
    assert japan.salience < 0.25  # named once, against a dateline and four mentions of Germany
    assert codes(floored) == [country.code for country in every.countries if country.salience >= 0.25]
    assert "JP" not in codes(floored)
    assert floored.primary_country == every.primary_country == "DE"


def test_a_country_the_title_names_is_a_main_country_however_much_the_body_names_another(
    normaliser: Normaliser,
) -> None:
    body = (
        "TOKYO - Japan's telecoms ministry said on Monday that Japan would not change the merger plan. Japanese "
        "officials said Japan's market was open, and Japan's firms backed the plan.\n\nJapan will decide in May."
    )
    found = regions(normaliser, body, title="JAPAN, BRITAIN DISAGREE ON TELECOM MERGER")
    main = {country.code for country in found.countries if country.salience >= 0.5}
    assert main == {"JP", "GB"}
    assert found.primary_country == "JP"
