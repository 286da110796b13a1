"""``news-ingest eval regions``: country tags against Reuters-21578's gold place codes.

Each story is fed as the wire printed it (dateline, then body) through normalise and the region tagger. Gold
countries are the story's PLACES codes mapped to ISO 3166-1 once, here; codes that are not countries today
(the USSR, Yugoslavia...) map to their main successor, and the few with no country are left out of the gold.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from news_ingest.errors import InputRejected
from news_ingest.evaluation.scoring import Score
from news_ingest.models import Article, RawArticle, Regions
from news_ingest.normalise.stage import Normaliser
from news_ingest.places import Gazetteer

# Reuters place codes whose hyphen-to-space form is not a country name GeoNames or the news aliases know.
_REUTERS_CODES = {
    "usa": "US", "uk": "GB", "ussr": "RU", "west-germany": "DE", "east-germany": "DE", "czechoslovakia": "CZ",
    "yugoslavia": "RS", "zaire": "CD", "burma": "MM", "ivory-coast": "CI", "uae": "AE", "south-korea": "KR",
    "north-korea": "KP", "taiwan": "TW", "hong-kong": "HK", "vatican": "VA", "netherlands-antilles": "CW",
    "north-yemen": "YE", "south-yemen": "YE", "ussr-republics": "RU", "dominican-republic": "DO",
    "kampuchea": "KH", "trinidad-tobago": "TT", "antigua": "AG", "st-lucia": "LC", "st-vincent": "VC",
    "st-kitts-nevis": "KN", "bahamas": "BS", "gambia": "GM", "congo": "CG", "sao-tome": "ST",
    "french-guiana": "GF", "new-caledonia": "NC", "french-polynesia": "PF", "brunei": "BN", "macau": "MO",
    "upper-volta": "BF", "cape-verde": "CV", "comoros": "KM", "seychelles": "SC", "cayman-islands": "KY",
    "bermuda": "BM", "greenland": "GL", "faroe-islands": "FO", "tanzania": "TZ", "vietnam": "VN", "laos": "LA",
    "syria": "SY", "iran": "IR", "bolivia": "BO", "venezuela": "VE", "western-samoa": "WS",
    "papua-new-guinea": "PG", "east-timor": "TL", "netherlands": "NL", "us-virgin-islands": "VI",
    "yemen-arab-republic": "YE", "yemen-demo-republic": "YE",
}  # fmt: skip
_MAIN = 0.5  # salience at or above which a country counts as what the story is about


@dataclass(frozen=True, slots=True)
class RegionReport:
    articles: int
    all_tags: Score  # every country tagged, against the gold countries, over (article, country) pairs
    main_tags: Score  # only countries with salience >= 0.5
    primary_in_gold: float  # articles whose primary country is one of the gold countries (of those with one)
    unmapped_codes: dict[str, int]
    us_per_article: float

    def lines(self, label: str) -> list[str]:
        rows = [f"{label}: {self.articles} articles; tag stage {self.us_per_article:.0f} us/article"]
        for name, score in (("all countries tagged", self.all_tags), ("main countries (salience >= 0.5)",
                                                                      self.main_tags)):  # fmt: skip
            rows.append(f"  {name}: precision {score.precision:.3f}  recall {score.recall:.3f}  F1 {score.f1:.3f}")
        rows.append(f"  primary country among the gold countries: {self.primary_in_gold:.3f}")
        if self.unmapped_codes:
            rows.append(f"  gold codes with no country, left out: {dict(sorted(self.unmapped_codes.items()))}")
        return rows


def jsonl_docs(path: Path) -> Iterator[tuple[RawArticle, list[str]]]:
    """A user's own labelled articles: one ``{"title"?, "body", "countries": [...], "url"?}`` object per line;
    countries as ISO 3166-1 alpha-2 codes or names."""
    for number, line in enumerate(path.read_bytes().splitlines(), start=1):
        if line.strip():
            record = orjson.loads(line)
            url = record.get("url") or f"https://eval.invalid/{number}"
            yield RawArticle(url=url, title=record.get("title"), body=record["body"]), list(record["countries"])


def reuters_docs(path: Path, *, split: str = "test") -> Iterator[tuple[RawArticle, list[str]]]:
    """Stories with a body and at least one place code, as printed (dateline first), and their gold codes.
    ``split``: Reuters' own LEWISSPLIT, ``test`` (held out), ``train`` (for tuning) or ``all``."""
    with gzip.open(path, "rb") as lines:
        for line in lines:
            record = orjson.loads(line)
            if not record.get("body") or not record.get("places"):
                continue
            if split != "all" and str(record.get("lewissplit", "")).lower() != split:
                continue
            body = f"{record['dateline']} {record['body']}" if record.get("dateline") else record["body"]
            raw = RawArticle(url=f"https://reuters.invalid/{record['newid']}", title=record.get("title") or None,
                             body=body)  # fmt: skip
            yield raw, list(record["places"])


def evaluate_regions(docs: Iterator[tuple[RawArticle, list[str]]], normaliser: Normaliser,
                     tag: Callable[[Article], Regions], gazetteer: Gazetteer) -> RegionReport:  # fmt: skip
    counts = {"all": [0, 0, 0], "main": [0, 0, 0]}  # true positives, predicted, actual
    primary_hits = primary_total = articles = 0
    unmapped: dict[str, int] = {}
    seconds = 0.0
    for raw, places in docs:
        try:
            article = normaliser(raw)
        except InputRejected:
            continue
        gold = set()
        for code in places:
            country = (
                (code if code in gazetteer.countries else None)
                or _REUTERS_CODES.get(code)
                or gazetteer.country_of_name(code.replace("-", " "))
            )
            if country:
                gold.add(country)
            else:
                unmapped[code] = unmapped.get(code, 0) + 1
        if not gold:
            continue
        started = time.perf_counter()
        regions = tag(article)
        seconds += time.perf_counter() - started
        articles += 1
        tagged = {country.code for country in regions.countries}
        main = {country.code for country in regions.countries if country.salience >= _MAIN}
        for name, found in (("all", tagged), ("main", main)):
            counts[name][0] += len(found & gold)
            counts[name][1] += len(found)
            counts[name][2] += len(gold)
        if regions.primary_country:
            primary_total += 1
            primary_hits += regions.primary_country in gold
    return RegionReport(
        articles=articles,
        all_tags=Score.of(true_positive=counts["all"][0], predicted=counts["all"][1], actual=counts["all"][2]),
        main_tags=Score.of(true_positive=counts["main"][0], predicted=counts["main"][1], actual=counts["main"][2]),
        primary_in_gold=primary_hits / primary_total if primary_total else 0.0,
        unmapped_codes=unmapped,
        us_per_article=seconds / articles * 1e6 if articles else 0.0,
    )
