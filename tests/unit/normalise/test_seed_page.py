"""The page the project was started from (../shared/seed), sent in every layout a feed uses: one record."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Iterator
from pathlib import Path

import pytest

from news_ingest.app import build_tagger
from news_ingest.config import TagSettings
from news_ingest.models import Article, RawArticle, Tags
from news_ingest.normalise.stage import Normaliser
from news_ingest.tag.stage import Tagger

SEED = Path(__file__).resolve().parents[4] / "shared" / "seed" / "000_8d66e9d75763b3f4.txt"
pytestmark = pytest.mark.skipif(not SEED.is_file(), reason="../shared/seed is absent")
HEADLINES = (
    "Russia says more Ukrainian drones downed over Crimea",
    "Russia says more Ukrainian drones downed over southwest Crimea",
    "North Korea's leader wraps up Russia trip with drones gift",
    "Beijing's FM Wang Yi begins 4-day visit to Moscow for security talks",
    "Chinese FM Wang Yi to visit Russia Sept 18-21",
    "Chinese FM Wang Yi to visit Russia for security talks",
)


def renderings() -> dict[str, str]:
    lines = SEED.read_text(encoding="utf-8").split("\n")
    return {
        "as published (one paragraph per line)": "\n".join(lines),
        "blank lines": "\n\n".join(lines),
        "CRLF": "\r\n".join(lines),
        "HTML": "<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in lines) + "</body></html>",
    }


@pytest.fixture(scope="module")
def full_tagger() -> Iterator[Tagger]:
    tagger = build_tagger(TagSettings(profile="full"))
    yield tagger
    tagger.close()


@pytest.fixture(scope="module")
def records(normaliser: Normaliser, full_tagger: Tagger) -> dict[str, tuple[Article, Tags]]:
    out: dict[str, tuple[Article, Tags]] = {}
    for name, body in renderings().items():
        article = normaliser(RawArticle(url="https://aggregator.example/world/1", body=body))
        out[name] = article, asyncio.run(full_tagger([article]))[0]
    return out


def test_the_body_is_the_three_article_paragraphs_with_the_lede_once_and_no_dateline(
    records: dict[str, tuple[Article, Tags]],
) -> None:
    article, _ = records["as published (one paragraph per line)"]
    paragraphs = article.body.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("Russian defense minister Sergei Shoigu arrived in Iran Tuesday")
    assert paragraphs[1].startswith("Moscow has sought to strengthen its alliances")
    assert paragraphs[2].startswith('"This visit will contribute to strengthening Russian-Iranian military ties')
    assert "MOSCOW" not in article.body
    assert not any(word in article.body for word in ("Read more", "Similar News", "Headlines", "Wang Yi", "Crimea"))
    assert (article.dateline.text, article.dateline.country) == ("MOSCOW, Russia -", "RU")


def test_every_teased_headline_is_related_and_nothing_else(records: dict[str, tuple[Article, Tags]]) -> None:
    article, _ = records["as published (one paragraph per line)"]
    assert article.related == HEADLINES


def test_tags_are_what_an_editor_expects(records: dict[str, tuple[Article, Tags]]) -> None:
    _, tags = records["as published (one paragraph per line)"]
    salience = {country.code: country.salience for country in tags.regions.countries}
    assert salience["RU"] >= 0.5
    assert salience["IR"] >= 0.5  # an alert on Russia and Iran fires on this page
    assert "US" not in salience  # the "United States Headlines" footer is chrome
    people = [entity.name for entity in tags.entities if entity.type.value == "PERSON"]
    assert "Sergei Shoigu" in people
    assert "Shoigu" not in people  # one person, not two
    assert "Kim Jong Un" in people
    names = {entity.name for entity in tags.entities}
    assert "Wang Yi" not in names  # named only in teasers
    assert not {name for name in names if "Crimea" in name}


def test_every_layout_gives_the_same_record(records: dict[str, tuple[Article, Tags]]) -> None:
    reference_article, reference_tags = records["as published (one paragraph per line)"]
    for name, (article, tags) in records.items():
        assert (article.body, article.related, article.dateline) == (
            reference_article.body,
            reference_article.related,
            reference_article.dateline,
        ), name
        assert tags.regions == reference_tags.regions, name
        assert tags.entities == reference_tags.entities, name
