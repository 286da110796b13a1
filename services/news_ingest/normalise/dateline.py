"""Datelines: "MOSCOW, Russia (Reuters) - " and its variants, parsed into place, region, credit and country."""

from __future__ import annotations

import re
from dataclasses import dataclass

from news_ingest.models import Dateline
from news_ingest.places import Gazetteer

WIRE_CREDITS = (
    "Reuters", "AP", "AFP", "Bloomberg", "UPI", "dpa", "DPA", "Xinhua", "AAP", "PA", "ANI", "IANS", "EFE", "ANSA",
    "Kyodo", "Yonhap", "TASS", "Interfax", "Bernama", "Anadolu", "CNA", "Associated Press", "The Associated Press",
)  # fmt: skip
_CREDIT = "|".join(sorted((re.escape(c) for c in WIRE_CREDITS), key=len, reverse=True))
_WORD = r"[A-Z][A-Za-z\u00c0-\u024f.'\u2019-]*"
_PLACE = rf"{_WORD}(?: {_WORD}){{0,3}}"
_DATE = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2}"
PATTERN = re.compile(
    rf"(?P<place>{_PLACE})(?:, ?(?P<region>{_PLACE}))?(?:(?:, ?| )(?P<date>{_DATE}))?"
    rf" ?(?:\((?P<credit>{_CREDIT})\))? ?(?P<sep>--|[-\u2013\u2014:]) ?(?=[\"'<A-Za-z0-9\u00c0-\u024f])"
)
_CREDIT_ONLY = re.compile(rf"\((?P<credit>{_CREDIT})\) ?(?:--|[-\u2013\u2014]) ?(?=\S)")
_NOT_PLACES = frozenset(
    {"BREAKING", "UPDATE", "UPDATED", "WATCH", "EXCLUSIVE", "ANALYSIS", "OPINION", "LIVE", "VIDEO", "PHOTOS",
     "EDITORIAL", "CORRECTION", "FILE", "NOTE", "WARNING", "ALERT", "REVIEW", "INTERVIEW", "FACTBOX", "WRAPUP",
     "COMMENT", "EXPLAINER", "NEWS", "SPORTS", "SPORT", "PHOTO", "AUDIO", "PODCAST", "TIMELINE", "Q&A"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Found:
    """A dateline at the start of a paragraph and the text that follows it."""

    dateline: Dateline
    rest: str


def match(text: str) -> re.Match[str] | None:
    """A dateline at the very start of ``text`` that passes the plausibility rules, else None."""
    found = PATTERN.match(text)
    if found is None:
        return None
    if found["sep"] == "-" and " " not in text[found.start("sep") - 1 : found.end("sep") + 1]:
        return None  # "A ROAD-BUILDING firm", "AN X-RAY": a hyphen inside a compound word, not a dateline's dash
    place = found["place"]
    letters = place.replace(" ", "").replace(".", "").replace("-", "").replace("'", "")
    if place.upper() in _NOT_PLACES or len(letters) < 2:
        return None
    all_caps = letters.isupper() and len(letters) >= 3
    if all_caps:
        return found
    # "Moscow, Russia - ", "Moscow (Reuters) - " or "Miami, March 11 - ": a title-case place needs a region, a
    # credit or a date, and a dash.
    if (found["region"] or found["credit"] or found["date"]) and found["sep"] != ":":
        return found
    return None


def starts(text: str) -> bool:
    """``text`` opens with a dateline ("MOSCOW - ", "Beijing, China - ", "(Reuters) - ")."""
    return match(text) is not None or _CREDIT_ONLY.match(text) is not None


def extract(paragraph: str, gazetteer: Gazetteer) -> Found | None:
    """Take the dateline off the front of the lede paragraph."""
    found = match(paragraph)
    if found is not None:
        place, region = found["place"], found["region"]
        dateline = Dateline(
            text=found.group(0).strip(),
            place=place if region is None else f"{place}, {region}",
            country=gazetteer.resolve(place, region),
            credit=found["credit"],
        )
        return Found(dateline, paragraph[found.end() :])
    credit_only = _CREDIT_ONLY.match(paragraph)
    if credit_only is not None:
        return Found(Dateline(text=credit_only.group(0).strip(), credit=credit_only["credit"]),
                     paragraph[credit_only.end() :])  # fmt: skip
    return None
