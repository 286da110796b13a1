"""Bylines, picture credits and captions leave the body (and so the tags); sentences that only look like them
stay. Lines written for these tests in the shapes real pages and wires print."""

from __future__ import annotations

import asyncio

import pytest

from news_ingest.models import RawArticle
from news_ingest.normalise.credits import is_credit, without_trailing_credit
from news_ingest.normalise.stage import Normaliser
from tests.conftest import tagger

CREDITS = [
    "By MARTA QUILLFEATHER",
    "By Tobias Wren and Ines Halloway Tuesday, March 3, 2020, 09:15 am PT",
    "By: Ronan Ashby, THE DAILY LANTERN",
    "By Odile Brannock Staff writer",
    "BY COLM PETRIE, Associated Press Writer 2 hours ago",
    "Photo: Dana Whitlock, AP",
    "(Image credit: Harbour Robotics)",
    "Priya Anand/Coastal Times/Getty Images",
    "AFP, AP",
    "Image 2 of 7",
    "Click photo to enlarge",
    "Image caption The ferry leaves the old terminal for the last time",
    "FILE PHOTO: Dockers unload crates at the port of Harbourside, March 2, 2020.",
    "Crowds gathered on the quay as the last ferry left (AP Photo/Dana Whitlock)",
    "The old pier, built in 1952, is to be demolished (Image: GETTY)",
    "The terminal's waiting room stood empty on TuesdayCredit: Harbour Robotics",
]
SENTENCES = [
    "By 2030, the council expects the new terminal to carry a million passengers a year.",
    "By taking the bus link, commuters will save about ten minutes, the council said.",
    "Credit Suisse said on Monday that it would lend the council the money.",
    "The councillor said the decision did her credit, and that the pier was unsafe.",
    "Some of the figures in this report were provided by AFP and AP.",
    "Harbourside votes to close the old ferry terminal",
]


@pytest.mark.parametrize("line", CREDITS)
def test_a_byline_credit_or_caption_is_a_credit(line: str) -> None:
    assert is_credit(line)


@pytest.mark.parametrize("line", SENTENCES)
def test_a_sentence_or_headline_is_not(line: str) -> None:
    assert not is_credit(line)


def test_the_last_line_of_a_hard_wrapped_sentence_is_not_a_byline() -> None:
    assert not is_credit("by GM.")  # "...the 141,951 cars sold\nby GM."


def test_a_wire_credit_closing_a_paragraph_is_cut_and_the_paragraph_stays() -> None:
    assert without_trailing_credit("The talks ended without a deal. - AFP") == "The talks ended without a deal."
    assert (
        without_trailing_credit("Troops held the bridge, the army said [EPA]")
        == "Troops held the bridge, the army said"
    )
    assert without_trailing_credit("He said it was over. (AP)") == "He said it was over."
    assert without_trailing_credit("Talks with AFP went well.") == "Talks with AFP went well."


def test_bylines_and_captions_leave_the_body_and_name_no_entity(normaliser: Normaliser) -> None:
    body = (
        "<article><p>By</p><p>Marta Quillfeather</p>"
        "<p>Harbourside council voted on Tuesday to close the old ferry terminal, ending a service that has run "
        "since 1952.</p><figure><img src='a.jpg'><figcaption>Crowds gathered on the quay in Harbourside as the "
        "last ferry left (AP Photo/Dana Whitlock)</figcaption></figure>"
        "<p>Councillor Ada Penrose, who chairs the transport committee, said the pier was unsafe. - AFP</p>"
        "</article>"
    )
    article = normaliser(RawArticle(url="https://courier.example/ferry", title="Ferry terminal to close", body=body))
    assert article.body == (
        "Harbourside council voted on Tuesday to close the old ferry terminal, ending a service that has run since "
        "1952.\n\nCouncillor Ada Penrose, who chairs the transport committee, said the pier was unsafe."
    )
    names = {entity.name for entity in asyncio.run(tagger()([article]))[0].entities}
    assert "Ada Penrose" in names
    assert not names & {"Marta Quillfeather", "Dana Whitlock", "AFP", "AP"}


@pytest.mark.parametrize(
    "line",
    [
        "Published: Tuesday, March 3, 2020, 13:51 (GMT)",
        "Wed, Mar 4 2020, 07:50 GMT",
        "Updated 11:05 PM EST Nov 19, 2019",
        "Last Updated: March 11, 2020 11:43 EST",
        "Friday, March 6, 2020",
    ],
)
def test_a_timestamp_line_is_a_credit(line: str) -> None:
    assert is_credit(line)


@pytest.mark.parametrize(
    "line", ["1986 1985 1984", "On Tuesday at 9 the ferry left", "March 2020 elections", "Mar 5 - Oslo"]
)
def test_a_table_row_a_sentence_or_a_dateline_is_not_a_timestamp(line: str) -> None:
    assert not is_credit(line)
