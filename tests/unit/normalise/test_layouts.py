"""Layout invariance: an article sent in any layout a feed uses comes out as its blank-line rendering's record
(paragraphs, related headlines, dateline, countries, entities, dedup sketch). Real articles from ../shared/data
(hundreds per layout) when it is present; a written set always."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from news_ingest.app import build_index
from news_ingest.config import Settings
from news_ingest.deduplicate.stage import Deduplicator
from news_ingest.evaluation.layouts import Checker, LayoutReport, shared_stories
from news_ingest.evaluation.renderings import LAYOUTS, REFERENCE, Rendered, Story
from news_ingest.normalise.stage import Normaliser
from tests.conftest import tagger

DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
PER_SET = 100  # stories from each of the four shared sets: 400 per layout
TARGET = 0.99

WRITTEN = (
    Story(
        "harbour",
        "Storm closes Bergen harbour for second day",
        (
            "The harbour at Bergen stayed closed on Tuesday as a storm from the North Sea kept ferries and fishing "
            "boats in port for a second day, the city's port authority said.",
            "Waves of up to nine metres were recorded off the coast overnight, and the Norwegian Meteorological "
            "Institute warned that winds would not ease before Thursday morning.",
            '"We have never had to keep the inner harbour shut this long," harbour master Ingrid Solberg told '
            "reporters, adding that two cargo ships had been sent on to Stavanger.",
            "Norled, which runs most of the coastal ferries, said about 4,000 passengers had been affected and that "
            "tickets would be refunded or rebooked free of charge.",
        ),
        "BERGEN, Norway (Reuters) -",
    ),
    Story(
        "budget",
        "Council agrees cuts to road budget",
        (
            "Leeds City Council has agreed to cut its road maintenance budget by a fifth next year, despite warnings "
            "from engineers that potholes would multiply on the city's older streets.",
            "The plan, approved by 52 votes to 31, includes:",
            "- Fewer resurfacing contracts on minor roads",
            "- A freeze on new cycle lanes outside the centre",
            "- Longer intervals between bridge inspections",
            "Opposition councillors said the cuts were short-sighted and would cost more in compensation claims "
            "from drivers whose cars were damaged by broken road surfaces.",
        ),
    ),
    Story(
        "chip-plant",
        "Chipmaker delays plant as demand slows",
        (
            "Taipei-based chipmaker Nanya Technology said on Friday it would delay construction of a new plant in "
            "New Taipei City by at least a year, citing weaker demand for memory chips from smartphone makers.",
            "The company, which had planned to start building in March, said it now expected well-below-forecast "
            "sales in the first half and would cut capital spending by about 30 percent.",
            "Analysts at Yuanta Securities said the decision was widely expected after rivals Micron Technology and "
            "SK Hynix announced similar cutbacks last month.",
        ),
        "TAIPEI, Jan 13 -",
    ),
    Story(
        "lagos-floods",
        "Floods displace thousands in Lagos suburbs",
        (
            "Heavy rain flooded low-lying suburbs of Lagos over the weekend, forcing thousands of residents from their "
            "homes and cutting the main road to the airport for several hours.",
            "The Lagos State Emergency Management Agency said it had moved families from Ajegunle and Ikorodu to "
            "schools and churches on higher ground, and that no deaths had been reported.",
        ),
        "LAGOS, Nigeria -",
    ),
)


def checker(normaliser: Normaliser) -> Checker:
    settings = Settings()
    deduplicator = Deduplicator(index=build_index(settings.dedup), settings=settings.dedup)
    return Checker(normaliser, tagger(), deduplicator)


def failures(report: LayoutReport, *, below: float) -> str:
    low = [f"{name} {report.share(name):.3f}" for name in report.compared if report.share(name) < below]
    return "; ".join(low) + "\n" + "\n".join(report.lines("layouts", show=8))


def test_written_articles_come_out_the_same_in_every_layout_and_seed(normaliser: Normaliser) -> None:
    check = checker(normaliser)
    for seed in range(25):  # 25 seeded variants of every layout: widths, indents, endings, chrome, teasers
        report = asyncio.run(check.compare(WRITTEN, seed=seed))
        assert report.skipped == 0
        assert all(report.share(name) == 1.0 for name in report.compared), failures(report, below=1.0)


def test_teasers_add_exactly_the_teased_headlines_to_related(normaliser: Normaliser) -> None:
    story, others = WRITTEN[0], WRITTEN
    rendered = LAYOUTS["teasers"](story, random.Random(3), others)
    reference = LAYOUTS[REFERENCE](story, random.Random(3), others)
    got = asyncio.run(checker(normaliser).record(story, rendered))
    expected = asyncio.run(checker(normaliser).record(story, reference))
    assert rendered.teased
    assert got.related == expected.related + rendered.teased
    assert got.paragraphs == expected.paragraphs
    assert got.countries == expected.countries  # nothing in a teaser tags a country


def test_a_body_of_only_chrome_or_only_teasers_is_empty_content(normaliser: Normaliser) -> None:
    page = LAYOUTS["teasers"](WRITTEN[0], random.Random(5), WRITTEN).body
    only_teasers = page[page.index("Latest News") :].split("\n", 1)[1]  # what follows the article's chrome line
    assert "Read more" in only_teasers
    only_chrome = "United States Latest News, United States Headlines\nRead more \u00bb\nAdvertisement\nShare"
    check = checker(normaliser)
    for body in (only_teasers, only_chrome):
        record = asyncio.run(check.record(Story("page", None, (body,)), Rendered(body)))
        assert record.rejected == "empty_content", body


@pytest.mark.data
@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data is absent")
def test_real_articles_come_out_the_same_in_every_layout(normaliser: Normaliser) -> None:
    stories = shared_stories(DATA, per_set=PER_SET)
    report = asyncio.run(checker(normaliser).compare(stories))
    assert min(report.compared.values()) >= 300  # hundreds per layout
    assert all(report.share(name) >= TARGET for name in report.compared), failures(report, below=TARGET)
