"""A synthetic raw-article stream of any size, deterministic per seed, with its ground truth.

Every story is written here from templates and small vocabularies (fictional people and organisations, real
places): an original report, and with set probabilities an edited syndicated copy, an exact re-post, a
re-scrape with site chrome and a repeated lede, another outlet's own write-up of the event, a foreign-language
brief, and malformed records. The truth says, per event, what it is (``original``, ``near``, ``exact``,
``writeup``, ``foreign``, ``malformed``), which event it copies, its story, and the countries it is about.
Used by the benchmarks (``make bench``) and by ``news-ingest generate``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import orjson

_PLACES = [  # (dateline city, country name, ISO code)
    ("MOSCOW", "Russia", "RU"),
    ("NAIROBI", "Kenya", "KE"),
    ("LIMA", "Peru", "PE"),
    ("HANOI", "Vietnam", "VN"),
    ("OSLO", "Norway", "NO"),
    ("ACCRA", "Ghana", "GH"),
    ("MANILA", "Philippines", "PH"),
    ("LISBON", "Portugal", "PT"),
    ("CAIRO", "Egypt", "EG"),
    ("OTTAWA", "Canada", "CA"),
    ("WARSAW", "Poland", "PL"),
    ("SANTIAGO", "Chile", "CL"),
    ("JAKARTA", "Indonesia", "ID"),
    ("DUBLIN", "Ireland", "IE"),
    ("ANKARA", "Turkey", "TR"),
    ("CANBERRA", "Australia", "AU"),
    ("BOGOTA", "Colombia", "CO"),
    ("SEOUL", "South Korea", "KR"),
    ("ATHENS", "Greece", "GR"),
    ("RABAT", "Morocco", "MA"),
]
_FIRST = [
    "Amara",
    "Tomas",
    "Ines",
    "Kenji",
    "Olga",
    "Rafael",
    "Leila",
    "Marek",
    "Sofia",
    "Daniel",
    "Yara",
    "Pavel",
    "Grace",
    "Hugo",
    "Nadia",
    "Samuel",
    "Elena",
    "Victor",
    "Maya",
    "Jonas",
]
_LAST = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Petrova",
    "Castillo",
    "Haddad",
    "Novak",
    "Ferreira",
    "Brennan",
    "Osei",
    "Kowalski",
    "Nakamura",
    "Duarte",
    "Ivanova",
    "Mensah",
    "Larsen",
    "Quispe",
    "Halvorsen",
    "Rahman",
]
_ROLES = [
    "Finance Minister",
    "Health Minister",
    "Transport Minister",
    "central bank governor",
    "Foreign Minister",
    "opposition leader",
    "Energy Minister",
    "Trade Minister",
]
_ORGS = [
    "National Grid Authority",
    "Harbour Development Bank",
    "Federation of Grain Exporters",
    "Coastal Rail Company",
    "Institute of Public Health",
    "United Textile Workers Union",
    "Northern Power Corporation",
]
_TOPICS = [  # (name, lede, second sentence, third sentence)
    (
        "rail",
        "{org} will build a {n}-kilometre rail link between the capital and the coast, {role} {person} said on {day}.",
        "The project, costing {m} million dollars, is expected to cut freight times by a third.",
        "Critics say the route crosses farmland that {org2} wants protected.",
    ),
    (
        "budget",
        "{role} {person} presented a budget on {day} that raises spending on schools by {n} percent.",
        "The plan relies on higher fuel taxes, which {org} warned would hit exporters.",
        "Lawmakers will debate the bill for {k} days before a vote.",
    ),
    (
        "strike",
        "Workers at {org} walked out on {day}, halting output at {k} plants, {role} {person} said.",
        "The union wants a {n} percent pay rise after two years of high inflation.",
        "Talks brokered by {org2} broke down late on {day}.",
    ),
    (
        "floods",
        "Floods after {k} days of heavy rain forced {n} hundred families from their homes, {role} {person} said.",
        "{org} said the river rose {k} metres above its usual level.",
        "Emergency crews were still searching for residents cut off in low-lying districts.",
    ),
    (
        "vaccine",
        "{org} began a vaccination drive on {day} aiming to reach {n} thousand children, {role} {person} said.",
        "The campaign follows an outbreak that put {k} hundred people in hospital.",
        "Clinics will open on weekends until the end of the month, {org2} said.",
    ),
    (
        "power",
        "{org} raised electricity prices by {n} percent from {day}, blaming the cost of imported gas.",
        "{role} {person} said households would get a rebate worth {m} dollars a year.",
        "Business groups including {org2} called the rise a blow to manufacturers.",
    ),
]
_EXTRA = [
    "Officials said more details would follow next week.",
    "Markets were little changed on the news.",
    "Analysts had expected the decision for several months.",
    "The announcement was broadcast on state radio.",
    "Residents interviewed on local television welcomed the move.",
    "Opposition parties promised to fight it.",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_FOREIGN = {  # language: (body, title)
    "de": (
        (
            "{place}: Die Regierung hat am {day} neue Massnahmen angekuendigt, sagte {person}. "
            "Die Opposition kritisierte den Plan als zu teuer und zu spaet."
        ),
        "Neue Massnahmen in {country}",
    ),
    "fr": (
        (
            "{place} : Le gouvernement a annonce de nouvelles mesures, a declare {person}. "
            "L'opposition juge le projet trop couteux et trop tardif."
        ),
        "Nouvelles mesures en {country}",
    ),
    "es": (
        "{place}: El gobierno anuncio nuevas medidas, dijo {person}. La oposicion critico el plan por caro y tardio.",
        "Nuevas medidas en {country}",
    ),
}
_OUTLETS = ["wire.example", "dailynews.example", "globe.example", "aggregator.example", "courier.example"]
_EPOCH = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
_MALFORMED = [
    b'{"url": "https://broken.example/a", "body": ',
    b"\xff\xfe not json",
    b'{"body": "no url here"}',
    b'{"url": "https://empty.example/a", "body": "   "}',
]


@dataclass(frozen=True, slots=True)
class Truth:
    """What one generated event is, for scoring."""

    event: int  # position in the stream
    kind: str  # original | near | exact | writeup | foreign | malformed
    story: int | None
    copies: int | None  # the event it duplicates (near, exact)
    countries: tuple[str, ...]

    def to_json(self) -> bytes:
        return orjson.dumps(
            {
                "event": self.event,
                "kind": self.kind,
                "story": self.story,
                "copies": self.copies,
                "countries": list(self.countries),
            }
        )


def generate(count: int, *, seed: int = 7) -> Iterator[tuple[bytes, Truth]]:
    """``count`` raw events (JSON bytes, or malformed bytes) in stream order, each with its truth."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not security
    made = 0
    story = 0
    while made < count:
        for value, truth in _story(rng, story, made):
            if made == count:
                return
            yield value, Truth(made, truth.kind, truth.story, truth.copies, truth.countries)
            made += 1
        story += 1


def _story(rng: random.Random, story: int, first: int) -> Iterator[tuple[bytes, Truth]]:
    city, country, code = rng.choice(_PLACES)
    slots = {
        "person": f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
        "role": rng.choice(_ROLES),
        "org": rng.choice(_ORGS),
        "org2": rng.choice(_ORGS),
        "day": rng.choice(_DAYS),
        "n": rng.randint(3, 90),
        "m": rng.randint(20, 900),
        "k": rng.randint(2, 12),
    }
    topic = rng.choice(_TOPICS)
    sentences = [line.format(**slots) for line in topic[1:]] + rng.sample(_EXTRA, 3)
    title = f"{country}: {sentences[0].split(',')[0]}"[:110]
    paragraphs = [f"{city}, {country} - {sentences[0]}", " ".join(sentences[1:3]), " ".join(sentences[3:])]
    when = _EPOCH + timedelta(minutes=20 * story)
    outlet = rng.randrange(len(_OUTLETS))
    url = f"https://{_OUTLETS[outlet]}/news/{story}-{topic[0]}-{code.lower()}"
    countries = (code,)
    original = _event(url, title, "\n\n".join(paragraphs), when, outlet)
    yield original, Truth(0, "original", story, None, countries)
    if rng.random() < 0.3:  # a syndicated copy: another outlet, edited title, a dropped paragraph, footer chrome
        edited = (
            "\n\n".join(paragraphs[:2]).replace("percent", "per cent")
            + f"\n\n{country} Latest News, {country} Headlines"
        )
        yield (
            _event(
                f"https://{_OUTLETS[(outlet + 1) % 5]}/world/{story}",
                f"{title} - report",
                edited,
                when + timedelta(minutes=9),
                outlet + 1,
            ),
            Truth(0, "near", story, first, countries),
        )
    if rng.random() < 0.2:  # the same article re-posted with tracking parameters
        yield (
            _event(f"{url}?utm_source=feed", title, "\n\n".join(paragraphs), when + timedelta(minutes=14), outlet),
            Truth(0, "exact", story, first, countries),
        )
    if rng.random() < 0.15:  # another outlet's own write-up of the event
        retold = [
            f"{slots['person']}, the {slots['role']}, spoke in {city.title()} on {slots['day']}.",
            sentences[1],
            f"The decision concerns {slots['org']} and follows weeks of debate in {country}.",
        ]
        yield (
            _event(
                f"https://{_OUTLETS[(outlet + 2) % 5]}/story/{story}",
                f"What {country}'s plan means",
                "\n\n".join(retold),
                when + timedelta(minutes=40),
                outlet + 2,
            ),
            Truth(0, "writeup", story, None, countries),
        )
    if rng.random() < 0.05:  # a brief in another language
        language = rng.choice(sorted(_FOREIGN))
        body, headline = _FOREIGN[language]
        text = body.format(place=city.title(), day=slots["day"], person=slots["person"])
        yield (
            _event(
                f"https://{_OUTLETS[outlet]}/{language}/{story}",
                headline.format(country=country),
                text,
                when + timedelta(minutes=5),
                outlet,
                language=language,
            ),
            Truth(0, "foreign", None, None, countries),
        )
    if rng.random() < 0.02:
        yield rng.choice(_MALFORMED), Truth(0, "malformed", None, None, ())


def _event(url: str, title: str, body: str, when: datetime, outlet: int, *, language: str = "en") -> bytes:
    return orjson.dumps(
        {
            "url": url,
            "title": title,
            "body": body,
            "published_at": when.isoformat(),
            "source": _OUTLETS[outlet % len(_OUTLETS)],
            "language": language,
        }
    )
