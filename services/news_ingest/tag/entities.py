"""Entities: people, organisations and places named in an article, each once, with a stable id.

Spans come from an ``EntityExtractor``: ``fast`` (gazetteer places and rule patterns for people and
organisations) or ``full`` (the same plus spaCy's statistical NER, see ``ner.py``). This module turns spans
into entities: short mentions resolve to the full name introduced earlier in the article ("Shoigu" ->
"Sergei Shoigu", "Kim" -> "Kim Jong Un"), possessives are stripped, places link to ISO / GeoNames ids and
people and organisations get a normalised-name id.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Protocol

import ahocorasick_rs
from pydantic import TypeAdapter

from news_ingest.models import Entity, EntityType
from news_ingest.tag.companies import ALSO_WORDS, companies
from news_ingest.tag.given_names import is_given_name, looks_like_a_person
from news_ingest.tag.guesses import guessed
from news_ingest.tag.institutions import organisations
from news_ingest.tag.letters import LETTER, LOWER, UPPER
from news_ingest.tag.overlaps import Disjoint, Occupied
from news_ingest.tag.refine import refined
from news_ingest.tag.regions import Kind, Mention, RegionTagger
from news_ingest.tag.span import LOC, ORG, PERSON, Span
from news_ingest.tag.teams import is_sports_article, team_names_in_prose, team_spans
from news_ingest.tag.words import zipf

# A name word, with a hyphenated or apostrophised part ("Lloyd-Webber", "Yar'Adua", "Ki-moon", "Shui-bian"); a short
# lower-case part after a hyphen is a name's syllable unless it is a word compounds end in ("Bush-era", "Paris-born").
_COMPOUND_ENDS = "led|era|born|bred|based|backed|like|style|type|free|wide|made|run|owned|held|area|zone|old|only|lite"
_NAME_WORD = (
    rf"(?:[{UPPER}](?:[{LOWER}]+|['\u2019][{UPPER}][{LOWER}]+)(?:['\u2019][{UPPER}]?[{LOWER}]+)*"
    rf"(?:-[{UPPER}][{LOWER}]+|-(?!(?:{_COMPOUND_ENDS})\b)[{LOWER}]{{2,5}}(?![\w-]))?|[A-Z]\.)"
)
_PARTICLE = r"(?:bin|ibn|al-|el-|de|da|di|van|von|der|del|la|le)"
_NAME = rf"{_NAME_WORD}(?: (?:{_PARTICLE} )?{_NAME_WORD}){{0,3}}"
# Roles that introduce a person's name: "Defence Minister Sergei Shoigu", "leader Kim Jong Un", "Mr. Smith".
_ROLES = (
    "President|Prime Minister|Vice President|Minister|Chancellor|King|Queen|Prince|Princess|Pope|Sheikh|"
    "General|Gen\\.|Senator|Sen\\.|Rep\\.|Representative|Governor|Gov\\.|Mayor|Chairman|Chairwoman|Chair|"
    "Chief Executive|CEO|Director|Secretary|Secretary-General|Judge|Justice|Ambassador|Commissioner|Mr\\.?|"
    "Mrs\\.?|Ms\\.?|Dr\\.?|Professor|Prof\\.|Lieutenant|Colonel|Col\\.|Captain|Capt\\.|Admiral|Sir|Dame|Lord|"
    "leader|spokesman|spokeswoman|spokesperson|chief|minister|president|premier|coach|striker|midfielder|"
    "defender|goalkeeper|captain|actor|actress|singer|analyst|economist|lawyer|reporter|author|founder"
)
_NAME_AT = re.compile(rf" ({_NAME})")  # the name right after a role
# Roles found by one Aho-Corasick pass (a regex alternation of 70 roles tried at every word is ~5x slower);
# the first listed role wins at a position, as in a regex alternation ("Mr." before "Mr").
_ROLE_NAMES = [alternative.replace("\\.?", ".").replace("\\.", ".") for alternative in _ROLES.split("|")]
_ROLE_NAMES += [alternative.replace("\\.?", "") for alternative in _ROLES.split("|") if alternative.endswith("\\.?")]
_ROLE_FINDER = ahocorasick_rs.AhoCorasick(_ROLE_NAMES, matchkind=ahocorasick_rs.MatchKind.LeftmostFirst)
# Patterns scanned over a whole text start with a literal or a letter class, never a word boundary or a look-behind,
# and spell a repeated class out ("[A-Z][A-Z]", not "[A-Z]{2}"): the regex engine then tests the first item alone at
# each position, in C. Alternations of words are found by Aho-Corasick passes instead, the rest read after them.
# A name after "said", "told" or "added": the verbs are found by one Aho-Corasick pass, the name read after them
# (a regex alternation scanned over the text is ~3x slower).
_PERSON_SAID = re.compile(rf"(?:said|told|added) ({_NAME_WORD} {_NAME_WORD}(?: {_NAME_WORD})?)\b")
_SAID_FINDER = ahocorasick_rs.AhoCorasick(
    ["said ", "told ", "added "], matchkind=ahocorasick_rs.MatchKind.LeftmostFirst
)
_SHOUTED_LINE = re.compile(r"[^a-z]*[A-Z]{3}")  # a line starting in capitals: "BUCHAREST 1996-08-30", "ST LOUIS AT"
_SHOUTED_WORDS = re.compile(r"(?<![\w.'-])[A-Z]{3,}(?: [A-Z]{2,}){0,2}(?![\w'-])")
_FAMILY_WORD = rf"[{UPPER}][{LETTER}'\u2019-]*[{LOWER}]"
# A capitalised word before another: where a given name may start ("Analyst Paul Sydney" tries both words).
_NAME_START = re.compile(rf"([{UPPER}][{LOWER}]+) (?=[{UPPER}])")  # patterns start with a class: re scans fast
_GIVEN_AND_FAMILY = re.compile(rf"[{UPPER}][{LOWER}]+(?: [A-Z]\.)?(?: (?:{_PARTICLE} )?{_FAMILY_WORD}){{1,2}}(?![\w-])")
_INITIAL_AND_FAMILY = re.compile(rf"([A-Z]\. (?:[A-Z]\. )?{_FAMILY_WORD})(?![\w-])")
_INITIAL = re.compile(r"\. (?<=[A-Z]\. )")  # what it needs, found fast (a literal first): most texts have none
_NAME_AND_COUNTRY = re.compile(rf"({_NAME}) \( ?([A-Z][A-Za-z. ]{{1,30}}?) ?\)")
_COUNTRY_IN_BRACKETS = re.compile(r" \( ?[A-Z][A-Za-z. ]{1,30}? ?\)")  # what it needs: a cheap scan first
_GOALS_AFTER = re.compile(r" ?\d{1,2}(?![\d.:,-])")
# _NAME_WORD after a word boundary
_FIRST_NAME_WORD = rf"[{UPPER}](?<!\w[{UPPER}])(?:[{LOWER}'\u2019]+(?:-[{UPPER}][{LOWER}]+)?|\.)"
_PERSON_AGE = re.compile(rf"({_FIRST_NAME_WORD} {_NAME_WORD}(?: {_NAME_WORD})?), (?:aged )?\d{{1,2}},")
_AGE = re.compile(r", (?:aged )?\d{1,2},")  # what _PERSON_AGE needs: a cheap scan first, as few texts give an age
_ORG_WORDS = (
    "Ministry|Bank|Corp\\.?|Corporation|Inc\\.?|Ltd\\.?|Plc|PLC|Group|Party|Agency|Council|Commission|University|"
    "Association|Union|Organisation|Organization|Fund|Institute|Committee|Authority|Court|Department|Company|"
    "Co\\.|Airlines|Airways|Motors|Exchange|Federation|League|Reserve|Parliament|Congress|Senate|Army|Navy|"
    "Police|Foundation|Office|Service|Board|Bureau|Holdings|Industries|Times|Post|News|Network|Trust|Front|"
    "Forces|Guard|Assembly|Cabinet|Club|Society"
)
_ORG_WORD_SET = frozenset(word.replace("\\.?", "").replace("\\.", "") for word in _ORG_WORDS.split("|"))
# An organisation's last word is found by one Aho-Corasick pass, then its name is read backwards: up to four
# capitalised words ("&" and "for" may join them) right before it, the first of them capitalised.
_ORG_FINDER = ahocorasick_rs.AhoCorasick(
    [word.replace("\\.?", ".").replace("\\.", ".") for word in _ORG_WORDS.split("|")]
    + [word.replace("\\.?", "") for word in _ORG_WORDS.split("|") if word.endswith("\\.?")]
    + ["Co"],  # last, so that "Corp" and "Corporation" are tried first
    matchkind=ahocorasick_rs.MatchKind.LeftmostFirst,
)
_FIRM_WORDS = frozenset(("Plc", "PLC", "Inc", "Corp", "Co", "Ltd", "Company", "Group", "Holdings", "Corporation"))
_AND_AFTER = re.compile(r" (?:and|&) ")
_FIRM_AND = re.compile(rf"(?<![\w'\u2019.-])({_NAME_WORD}(?: {_NAME_WORD})?) (?:and|&) $")
_ORG_HEAD = re.compile(rf"(?<![\w'\u2019-])({_NAME_WORD}(?: (?:{_NAME_WORD}|&|for)){{0,3}}) $")
# A firm named by what is said of it: "shares in Cairn Energy", "planemaker Airbus", "Tesco's shares".
_FIRM_DESCRIPTORS = (
    "shares in|shares of|stake in|bid for|takeover of|merger with|rival|rivals|carmaker|automaker|planemaker|"
    "airline|carrier|retailer|supermarket|chipmaker|drugmaker|brewer|insurer|lender|bank|broker|miner|"
    "conglomerate|maker|manufacturer|firm|company|group|giant|operator|publisher|broadcaster|network|label|band"
)
_DESCRIPTOR_FINDER = ahocorasick_rs.AhoCorasick(
    [f"{word} " for word in _FIRM_DESCRIPTORS.split("|")], matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
)
_FIRM_AFTER = re.compile(rf"({_NAME_WORD}(?: {_NAME_WORD}){{0,2}})(?![\w-])")
_SAID_OF_FIRMS = ahocorasick_rs.AhoCorasick(
    [" shares", "'s shares", "\u2019s shares", " stock", " shareholders", "'s chief executive", " chief executive"],
    matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
)
_FIRM_BEFORE = re.compile(rf"(?<![\w.-])({_NAME_WORD}(?: {_NAME_WORD}){{0,2}})$")
_NOT_FIRMS = frozenset(("Its", "Their", "His", "Her", "Our", "Wall Street", "Company"))
# "Ministry of Defence", "Bank of England": the heads are found by one Aho-Corasick pass, the name read after them.
_ORG_HEADS = ("Ministry", "Bank", "Department", "University", "Council", "Court", "Office")
_ORG_OF = re.compile(rf"((?:{'|'.join(_ORG_HEADS)}) of (?:the )?{_NAME})")
_ORG_OF_FINDER = ahocorasick_rs.AhoCorasick(
    [f"{head} of " for head in _ORG_HEADS], matchkind=ahocorasick_rs.MatchKind.LeftmostFirst
)
_KNOWN_ACRONYMS = frozenset(
    (
        "NATO",
        "OPEC",
        "IMF",
        "WHO",
        "WTO",
        "UN",
        "EU",
        "ECB",
        "FBI",
        "CIA",
        "NASA",
        "UNICEF",
        "UNESCO",
        "FIFA",
        "UEFA",
        "IOC",
        "OECD",
        "ASEAN",
        "BBC",
        "CNN",
        "IAEA",
        "ICC",
        "SEC",
        "FDA",
        "EPA",
        "NHS",
        "IRA",
        "PLO",
        "ANC",
        "U.N.",
        "AFP",
        "DPA",
        "ANSA",
        # news agencies and a few bodies news copy names by a short form
        "Reuters",
        "Interfax",
        "Xinhua",
        "Associated Press",
        "Bloomberg",
        "Kyodo",
        "Yonhap",
        "Itar-Tass",
        "Tass",
        "Fed",
        "Treasury",
    )
)
# Known acronyms found by one Aho-Corasick pass, kept when they are whole words ("NATO's", not "NATOS").
_ACRONYM_FINDER = ahocorasick_rs.AhoCorasick(
    sorted(_KNOWN_ACRONYMS), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
)
_COMPANY_FINDER = ahocorasick_rs.AhoCorasick(sorted(companies()), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
_INSTITUTION_FINDER = ahocorasick_rs.AhoCorasick(
    sorted(set(organisations())), matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
)
_NOT_NAMES = frozenset(
    (
        "The",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "Its",
        "He",
        "She",
        "They",
        "We",
        "I",
        "A",
        "An",
        "In",
        "On",
        "At",
        "For",
        "From",
        "With",
        "By",
        "But",
        "And",
        "Or",
        "If",
        "When",
        "While",
        "After",
        "Before",
        "During",
        "What",
        "Who",
        "Whom",
        "Whose",
        "Which",
        "Where",
        "Why",
        "How",
        "You",
        "Your",
        "My",
        "There",
        "Here",
        "Is",
        "Are",
        "Was",
        "Were",
        "Of",
        "To",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    )
)
_CAPITAL_NEXT = re.compile(rf" [{UPPER}]")
# Words that open a place's name before a given name ("San Francisco", "St. Louis", "Port Louis", "Fort Myers").
_PLACE_PREFIX_BEFORE = re.compile(
    r"(?<![\w.])(?:San|Santa|Santo|Sao|S\u00e3o|St\.?|Ste\.?|Saint|Sainte|Los|Las|Fort|Ft\.|Port|Mount|Mt\.|Lake"
    r"|Cape) $"
)
_LONGEST_PLACE_PREFIX = len("Sainte ")
_COMMON_PLURAL_ZIPF = 3.0  # "browns" 3.2, "rockets" 3.5, "sharks" 3.6: a team's nickname, not a surname
_SHORT_NAME = re.compile(rf"[{UPPER}][{LETTER}'\u2019-]*[{LOWER}]")  # a surname alone: "Shoigu", "McIlroy"; no digits
_POSSESSIVE = re.compile(r"(?:'s|\u2019s|')$")


def _without_possessive(name: str) -> str:
    """``name`` without a closing "'s" or "'" (most names have no apostrophe: no regex is run for them)."""
    return _POSSESSIVE.sub("", name) if "'" in name or "\u2019" in name else name


_AIRLINE = re.compile(r"(?<![\w-])(?:Air [A-Z][a-z]+(?: [A-Z][a-z]+)?|[A-Z][a-z]+ Air)(?![\w-])")
# Capitals a headline may name someone in. Scanning patterns spell a class out rather than repeat it ("[A-Z]{4}"):
# the regex engine then tests the first class alone at each position, 2-3x faster over a whole text.
_SHOUTED_WORD = re.compile(r"[A-Z][A-Z][A-Z][A-Z]")
_COUNTRY_PREFIXES = frozenset(("U.S.", "US", "U.K.", "UK", "EU", "UN", "U.N.", "British", "American"))
_MIN_SHOUTED = 4  # "GM", "BA" in capitals are too often something else
_RARE_FIRM_WORD_ZIPF = 3.9  # "Moody", "Goldman", "Carnival" are rarer; "Ballet", "Morgan", "General" are not
_COMPETITION_WORDS = frozenset(("Olympic", "Paralympic", "Commonwealth", "World", "European", "Grand"))
_RARE_FIRST_ZIPF = 3.0  # a first word this rare as an English word ("Ozzy") is a given name
_OF_OR_FOR = re.compile(" (?:of|for) ")  # compiled once: asked of every entity


class EntityExtractor(Protocol):
    """Spans for a batch of texts (title and body joined with a blank line)."""

    async def spans(self, texts: Sequence[str]) -> list[list[Span]]: ...

    def close(self) -> None: ...


class RuleExtractor:
    """The ``fast`` profile: gazetteer places and rule patterns; no model, a few hundred microseconds."""

    def __init__(self, regions: RegionTagger) -> None:
        self._regions = regions
        # Names repeat across articles; a bounded memo spares the gazetteer the same question.
        self.link_of = functools.lru_cache(maxsize=65_536)(self._link_of)  # type: ignore[method-assign]
        self.is_demonym = functools.lru_cache(maxsize=65_536)(self._is_demonym)  # type: ignore[method-assign]
        # Both questions read the same matches of a name: one gazetteer pass serves the two.
        self._mentions_of = functools.lru_cache(maxsize=65_536)(self._mentions)

    async def spans(self, texts: Sequence[str]) -> list[list[Span]]:
        return [self.finish(self.find(text), text) for text in texts]

    def finish(self, spans: Sequence[Span], text: str) -> list[Span]:
        """Spans refined to names (``refine.py``), then a person's later or earlier mentions by surname."""
        return with_short_names(without_overlaps(refined(spans, text, self)), text, self._is_place_or_nationality)

    def link_of(self, name: str) -> str | None:
        """The gazetteer id when the whole of ``name`` is a country, state or city."""
        return self._link_of(name)

    def is_demonym(self, name: str) -> bool:
        """True when the whole of ``name`` is a nationality ("Russian")."""
        return self._is_demonym(name)

    def _mentions(self, name: str) -> tuple[Mention, ...]:
        """The gazetteer's mentions in ``name``, when it is a place name as a whole (the only case the two
        questions above answer yes to; most names asked are people's and firms')."""
        return tuple(self._regions.find(name)) if self._regions.is_a_place_name(name) else ()

    def _link_of(self, name: str) -> str | None:
        mentions = [m for m in self._mentions_of(name) if m.place.kind in _PLACE_KINDS]
        whole = len(mentions) == 1 and mentions[0].end - mentions[0].start == len(name)
        return mentions[0].place.id if whole else None

    def _is_demonym(self, name: str) -> bool:
        mentions = self._mentions_of(name)
        return (
            len(mentions) == 1
            and mentions[0].place.kind is Kind.DEMONYM
            and mentions[0].end - mentions[0].start == len(name)
        )

    def find(self, text: str, *, cities: bool = True, teams: bool = True, guesses: bool = True) -> list[Span]:
        """Places from the gazetteer (countries, and states and cities unless ``cities`` is False), people
        after a role or before "said", organisations by their last word, well-known acronyms, and (unless
        ``teams`` is False, for a caller that applies ``with_teams`` to the merged spans) clubs."""
        found = list(self._places(text, cities=cities))
        found += _after_roles(text)
        found += self._people(text)
        found += _said_people(text)
        if _AGE.search(text):
            found += [Span(m.start(1), m.end(1), PERSON, m.group(1)) for m in _PERSON_AGE.finditer(text)]
        found += _organisations_of(text)
        found += _organisations(text)
        found += [span for span in _firms(text) if not self.link_of(span.text)]
        found += _acronyms(text)
        found += _institutions(text)
        found += _companies(text)
        if "Air" in text:
            found += self._airlines(text)
        kept = without_overlaps(found)
        if guesses:
            taken = Occupied((span.start, span.end) for span in kept)
            kept = without_overlaps([*kept, *guessed(text, taken.overlaps, self._is_place_or_nationality)])
        return self.with_teams(kept, text) if teams else kept

    def _airlines(self, text: str) -> list[Span]:
        """Airlines named after a place or nationality ("Air France", "Air New Zealand", "Korean Air")."""
        found = []
        for match in _AIRLINE.finditer(text):
            name = match.group(0)
            place = name[4:] if name.startswith("Air ") else name[:-4]
            if not self._is_place_or_nationality(place) and name.startswith("Air "):  # "Air New Zealand"?
                name, place = name.rsplit(" ", 1)[0], place.rsplit(" ", 1)[0]
            if " " in name and self._is_place_or_nationality(place):
                found.append(Span(match.start(), match.start() + len(name), ORG, name))
        return found

    def _is_place_or_nationality(self, word: str) -> bool:
        if not self._regions.is_a_place_name(word):
            return False  # most words asked are no place name at all: a set lookup answers
        return self.link_of(word) is not None or self.is_demonym(word)

    def _people(self, text: str) -> list[Span]:
        """People by the shape of their names: a given name and one or two more capitalised words ("Tony
        Lester", "George W. Bush"), an initial and a surname ("J. Ratcliffe"), or a name before a country in
        parentheses, as results lists write athletes ("Marie-Jose Perec ( France )")."""
        found = []
        for start in _NAME_START.finditer(text):
            at = start.start()
            if at and (text[at - 1].isalnum() or text[at - 1] in ".'\u2019-_"):
                continue
            match = _GIVEN_AND_FAMILY.match(text, at) if is_given_name(start.group(1)) else None
            if match is None or _PLACE_PREFIX_BEFORE.search(text, max(0, at - _LONGEST_PLACE_PREFIX), at):
                continue  # "San Francisco Bay Area", "St. Louis Blues": a place's name, not a given name
            name = match.group(0)
            last = name.rsplit(" ", 1)[-1]
            if last in _ORG_WORD_SET or last in _NOT_NAMES or self.link_of(name) or self._a_team(name, last):
                continue
            found.append(Span(match.start(), match.end(), PERSON, name))
        initials = _INITIAL_AND_FAMILY.finditer(text) if _INITIAL.search(text) else ()
        found += [Span(m.start(1), m.end(1), PERSON, m.group(1)) for m in initials
                  if not m.start() or not (text[m.start() - 1].isalnum() or text[m.start() - 1] in "._")]  # fmt: skip
        found += self.before_countries(text)
        return found

    def _a_team(self, name: str, last: str) -> bool:
        """A city and a plural common noun ("Cleveland Browns", "Houston Rockets"): a team, not a person."""
        return (
            last.endswith("s")
            and zipf(last.lower()) >= _COMMON_PLURAL_ZIPF
            and self.link_of(name.split(" ", 1)[0]) is not None
        )

    def before_countries(self, text: str) -> list[Span]:
        """People named before their country in parentheses, as results lists write athletes ("Marie-Jose Perec
        ( France ) 49.86", "5. Tegla Loroupe (Kenya) 15:08.79"): not a place, and no goal count after it, which
        is how cup results write clubs ("Juventus ( Italy ) 2")."""
        if "(" not in text:
            return []
        # A name and its bracket never span a line break: only the lines with a bracketed word are read.
        lines = sorted({text.rfind("\n", 0, m.start()) + 1 for m in _COUNTRY_IN_BRACKETS.finditer(text)})
        ends = [end if (end := text.find("\n", start)) >= 0 else len(text) for start in lines]
        return [Span(match.start(1), match.end(1), PERSON, match.group(1))
                for start, end in zip(lines, ends, strict=True)
                for match in _NAME_AND_COUNTRY.finditer(text, start, end)
                if (self.link_of(match.group(2)) or "").startswith("iso:") and not self.link_of(match.group(1))
                and not _GOALS_AFTER.match(text, match.end())]  # fmt: skip

    def with_teams(self, spans: Sequence[Span], text: str) -> list[Span]:
        """Clubs named on results lines ("Harbourside 2 Millbrook 1") are organisations there and wherever else the
        article names them as a place; people stay people and countries (national teams) stay places."""
        lines = [(start, end) for start, end in team_spans(text) if not self._is_country(text[start:end])]
        names = {text[start:end] for start, end in lines}
        if is_sports_article(text):
            names |= self._teams_in_prose(spans, text)
        if not names:
            return list(spans)
        # A team's name in capitals ("ESSEX" in a headline) is the team too; a one-word "person" named like a
        # team on a results line is the team ("Derbyshire"), as a place is.
        folded = {name.casefold(): name for name in names} | {name.upper().casefold(): name for name in names}
        kept = [Span(s.start, s.end, ORG, s.text) if s.text.casefold() in folded and (
                s.type is LOC or (s.type is PERSON and " " not in s.text)) else s
                for s in spans]  # fmt: skip
        on_lines = [Span(start, end, ORG, text[start:end]) for start, end in lines]
        teams = Occupied(lines)
        kept = [s for s in kept if not teams.overlaps(s.start, s.end)]  # on its line, the line decides
        taken = Occupied([(s.start, s.end) for s in kept if s.type is not LOC] + lines)
        forms = names | {name.upper() for name in names if len(name) >= _MIN_SHOUTED}
        elsewhere = [Span(m.start(), m.end(), ORG, name) for name in forms
                     for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text)
                     if not taken.overlaps(m.start(), m.end())]  # fmt: skip
        return without_overlaps([*kept, *on_lines, *elsewhere])

    def _teams_in_prose(self, spans: Sequence[Span], text: str) -> set[str]:
        """Places, and one-word "people" who are nobody's surname here, that a sports verb puts in a team's
        place ("Leicestershire beat Somerset"); countries stay places (national sides)."""
        surnames = {s.text.split()[-1] for s in spans if s.type is PERSON and " " in s.text}
        where: dict[str, list[tuple[int, int]]] = {}
        for span in spans:
            one_word_person = span.type is PERSON and " " not in span.text and span.text not in surnames
            place = span.type is LOC and not (span.link or "").startswith("iso:")
            if span.text in _COMPETITION_WORDS or span.text.endswith("Hemisphere"):
                continue  # "the Olympic champion", "the Northern Hemisphere coach": no club
            if place or one_word_person or span.type is ORG:  # an organisation: one a list may share
                where.setdefault(span.text, []).append((span.start, span.end))
        return {name for name in team_names_in_prose(text, where) if not self._is_country(name)}

    def _is_country(self, name: str) -> bool:
        mentions = self._mentions_of(name)
        return any(m.place.kind is Kind.COUNTRY and m.end - m.start == len(name) for m in mentions)

    def close(self) -> None:
        return None

    def _places(self, text: str, *, cities: bool) -> Iterable[Span]:
        kinds = (Kind.COUNTRY, Kind.STATE, Kind.CITY) if cities else (Kind.COUNTRY,)
        for mention in self._regions.find(text):
            if mention.place.kind in kinds:
                yield Span(mention.start, mention.end, LOC, mention.text, mention.place.id)
        if any(_SHOUTED_LINE.match(line) for line in text.split("\n")):  # datelines, headlines in capitals
            for match in _SHOUTED_WORDS.finditer(text):
                link = self.link_of(match.group(0).title())
                if link is not None:
                    yield Span(match.start(), match.end(), LOC, match.group(0), link)

    def link(self, span: Span) -> Span:
        """A place span from elsewhere (a model) linked to the gazetteer when its name is known."""
        if span.type is not LOC or span.link:
            return span
        link = self.link_of(span.text)
        return Span(span.start, span.end, span.type, span.text, link) if link else span


_PLACE_KINDS = frozenset({Kind.COUNTRY, Kind.STATE, Kind.CITY})


def _after_roles(text: str) -> list[Span]:
    """People named right after a role: "Defence Minister Sergei Shoigu", "leader Kim Jong Un"."""
    found = []
    for _, start, end in _ROLE_FINDER.find_matches_as_indexes(text):
        if start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            continue  # inside a longer word
        name = _NAME_AT.match(text, end)
        if name is not None and name.group(1).rsplit(" ", 1)[-1] not in _ORG_WORD_SET:  # not "General Motors Corp"
            found.append(Span(name.start(1), name.end(1), PERSON, name.group(1)))
    return found


def _said_people(text: str) -> list[Span]:
    """People named right after "said", "told" or "added" ("..., said John Smith")."""
    return [Span(m.start(1), m.end(1), PERSON, m.group(1)) for m in _read_after(_SAID_FINDER, _PERSON_SAID, text)]


def _organisations_of(text: str) -> list[Span]:
    """Organisations named by a head and "of" ("Ministry of Defence", "the Bank of England")."""
    return [
        Span(m.start(1), m.end(1), ORG, _strip_article(m.group(1))) for m in _read_after(_ORG_OF_FINDER, _ORG_OF, text)
    ]


def _read_after(finder: ahocorasick_rs.AhoCorasick, pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """``pattern`` matched where ``finder`` finds its first word, that word a word of its own: the matches
    ``pattern.finditer`` would give, left to right and none inside another ("Council" of "Bank of England
    Council"), without the regex trying every position of the text."""
    end = 0
    for _, start, _end in finder.find_matches_as_indexes(text):
        if start < end or (start and _in_word(text[start - 1])):
            continue
        match = pattern.match(text, start)
        if match is not None:
            end = match.end()
            yield match


def _organisations(text: str) -> list[Span]:
    """Organisations by their last word: "Harbour Development Bank", "Goldman Sachs Group Inc."."""
    found = []
    for _, start, end in _ORG_FINDER.find_matches_as_indexes(text):
        if end < len(text) and (text[end].isalnum() or text[end] in "_-"):
            continue  # the word goes on ("Banking")
        head = _ORG_HEAD.search(text, max(0, start - 120), start)
        if head is not None:
            begin = head.start(1) + (4 if text.startswith(("The ", "the "), head.start(1)) else 0)
            if text[start:end].rstrip(".") in _FIRM_WORDS:
                begin = _joined_firm_start(text, begin)
            if begin < start:
                found.append(Span(begin, end, ORG, text[begin:end]))
    return found


def _joined_firm_start(text: str, begin: int) -> int:
    """Where a firm's name begins when "and" joins two names in it ("Cable and Wireless Plc", "Tokio Marine and
    Fire Insurance Co"): one or two capitalised words before "and", themselves no organisation ("General Motors
    and Ford Motor Co" are two firms) and never named on their own in the article."""
    before = _FIRM_AND.search(text, max(0, begin - 40), begin)
    if before is None or before.group(1).split()[-1] in _ORG_WORD_SET or before.group(1) in companies():
        return begin
    first = before.group(1)
    if any(not _AND_AFTER.match(text, m.end()) for m in re.finditer(rf"\b{re.escape(first)}\b", text)):
        return begin  # "Compaq and Apple Computer Inc": the article names Compaq on its own, so two firms
    return before.start(1)


def _firms(text: str) -> list[Span]:
    """Firms named by what is said of them ("shares in Cairn Energy", "planemaker Airbus", "Tesco's shares")."""
    found = []
    for _, start, end in _DESCRIPTOR_FINDER.find_matches_as_indexes(text):
        name = _FIRM_AFTER.match(text, end) if not (start and _in_word(text[start - 1])) else None
        if name is not None:
            found.append(Span(name.start(1), name.end(1), ORG, name.group(1)))
    for _, start, _end in _SAID_OF_FIRMS.find_matches_as_indexes(text):
        name = _FIRM_BEFORE.search(text, max(0, start - 60), start)
        if name is not None:
            found.append(Span(name.start(1), name.end(1), ORG, name.group(1)))
    return [span for span in found if span.text.split()[0] not in _NOT_NAMES and span.text not in _NOT_FIRMS]


def _acronyms(text: str) -> list[Span]:
    """Well-known acronyms standing as words of their own."""
    return [Span(start, end, ORG, text[start:end])
            for _, start, end in _ACRONYM_FINDER.find_matches_as_indexes(text)
            if not (start and _in_word(text[start - 1])) and not (end < len(text) and _in_word(text[end]))]  # fmt: skip


def _institutions(text: str) -> list[Span]:
    """National institutions and parties by name ("Liberal Democrats", "Bundesbank"), as words of their own."""
    return [Span(start, end, ORG, text[start:end])
            for _, start, end in _INSTITUTION_FINDER.find_matches_as_indexes(text)
            if not (start and _in_word(text[start - 1])) and not (end < len(text) and _in_word(text[end]))]  # fmt: skip


def _companies(text: str) -> list[Span]:
    """Well-known organisations by name ("Boeing", "Toyota"; ``companies.py``), as words of their own; one that is
    also an English word ("Apple") only if the article capitalises it inside a sentence somewhere."""
    found = [
        (start, end)
        for _, start, end in _COMPANY_FINDER.find_matches_as_indexes(text)
        if not (start and _in_word(text[start - 1])) and not (end < len(text) and _in_word(text[end]))
    ]
    if not found:
        return []
    words = {text[start:end] for start, end in found} & ALSO_WORDS
    named = {word for word in words if re.search(rf"[a-z,;:] {word}\b", text)}
    return [Span(start, end, ORG, text[start:end]) for start, end in found
            if text[start:end] not in words or text[start:end] in named]  # fmt: skip


def _in_word(char: str) -> bool:
    return char.isalnum() or char == "_"  # what a regex's \w matches


def _strip_article(name: str) -> str:
    return name[4:] if name.startswith(("the ", "The ")) else name


def without_overlaps(spans: Iterable[Span]) -> list[Span]:
    """Longest first, then earliest; a span overlapping one already kept is dropped."""
    ordered = sorted(spans, key=_start)
    reach = 0
    for span in ordered:  # spans that overlap nothing (the common case once rules have run) keep their order
        if span.start < reach or span.end <= span.start:
            return _longest_kept(ordered)
        reach = span.end
    return [span for span in ordered if span.type is LOC or span.text.partition(" ")[0] not in _NOT_NAMES]


def _longest_kept(spans: list[Span]) -> list[Span]:
    kept: list[Span] = []
    taken = Disjoint()
    for span in sorted(spans, key=_longest_first):
        if span.type is not LOC and span.text.partition(" ")[0] in _NOT_NAMES:
            continue
        if taken.add(span.start, span.end):
            kept.append(span)
    kept.sort(key=_start)
    return kept


def _longest_first(span: Span) -> tuple[int, int]:
    return span.start - span.end, span.start


def _start(span: Span) -> int:
    return span.start


def _count(vote: tuple[EntityType, int]) -> int:
    return vote[1]


def with_short_names(spans: Sequence[Span], text: str, is_place: Callable[[str], bool] = lambda _: False) -> list[Span]:
    """A person named in full is the same person wherever one word of the name stands alone, before or after
    the full name and whatever type another rule gave it ("McIlroy" in the headline, "James McIlroy" in the
    body): the surname, or a short first word, the family name of East Asian names ("Kim"), or a given name
    only one of the article's people has ("Alan" for "Alan Shearer"). A wire headline's capitals name them
    too ("SHEARER", as "ATALANTA" names the club the body calls "Atalanta"). Country names stay places."""
    introduced: set[str] = set()
    firsts: dict[str, set[str]] = {}  # a given name -> the family names it goes with here
    for span in spans:
        words = _without_possessive(span.text).split()
        if span.type is not PERSON or len(words) < 2:
            continue
        short = {words[-1]} | ({words[0]} if len(words) >= 3 and len(words[0]) <= 3 else set())
        introduced |= {word for word in short if _SHORT_NAME.fullmatch(word)} - _NOT_NAMES
        if is_given_name(words[0]) or (_SHORT_NAME.fullmatch(words[0]) and zipf(words[0].lower()) < _RARE_FIRST_ZIPF):
            firsts.setdefault(words[0], set()).add(words[-1])
    # A first name is added where it stands alone, but never retypes what another rule found ("Ryanair" of a
    # model's "Ryanair CEO Michael O'Leary" stays the airline).
    otherwise = {_without_possessive(s.text) for s in spans if s.type is not PERSON}
    given = {name for name, families in firsts.items() if len(families) == 1} - _NOT_NAMES - introduced - otherwise
    shouted = _shouted_names(spans, introduced) if _SHOUTED_WORD.search(text) else {}
    firms = _first_words_of_firms(spans, introduced | given, is_place)
    if not introduced and not given and not shouted and not firms:
        return list(spans)
    relabelled = [Span(s.start, s.end, PERSON, s.text) if _without_possessive(s.text) in introduced
                  and s.type is not PERSON and not (s.link or "").startswith("iso:") else s
                  for s in spans]  # fmt: skip
    forms = firms | {word: (word, PERSON) for word in introduced | given} | shouted
    added = []
    for form, (name, kind) in forms.items():
        at = text.find(form)
        while at >= 0:
            end = at + len(form)
            before_ok = at == 0 or not (text[at - 1].isalnum() or text[at - 1] in "'\u2019-")
            after_ok = end == len(text) or not text[end].isalnum()
            if before_ok and after_ok and (form.isupper() or not _CAPITAL_NEXT.match(text, end)):
                added.append(Span(at, end, kind, name))
            at = text.find(form, end)
    return without_overlaps([*relabelled, *added])


def _first_words_of_firms(
    spans: Sequence[Span], people: set[str], is_place: Callable[[str], bool]
) -> dict[str, tuple[str, EntityType]]:
    """An organisation named in full is named by its first word alone too ("Moody's Investors Service" ...
    "Moody's said"; "Cairn Energy" ... "Cairn"), when that word is rare as an English word (not "General",
    "American" or "Morgan"), no place or nationality ("Iraqi", "Kurdistan") and no person here goes by it; a
    name joined by "and" by its words before the company word ("Cable and Wireless"): form -> (form, ORG)."""
    forms: dict[str, tuple[str, EntityType]] = {}
    for span in spans:
        words = span.text.split()
        if span.type is not ORG or span.link or not 2 <= len(words) <= 4:
            continue
        if " and " in span.text and words[-1].rstrip(".") in _FIRM_WORDS:  # "Cable and Wireless" of "... Plc"
            forms.setdefault(" ".join(words[:-1]), (" ".join(words[:-1]), ORG))
        first = words[0]
        bare = _without_possessive(first)
        if (
            _SHORT_NAME.fullmatch(first)
            and bare not in _NOT_NAMES
            and bare not in people
            and not is_place(bare)
            and zipf(bare.lower()) < _RARE_FIRM_WORD_ZIPF
        ):
            forms.setdefault(first, (first, ORG))
    return forms


def _shouted_names(spans: Sequence[Span], surnames: Iterable[str]) -> dict[str, tuple[str, EntityType]]:
    """The all-caps forms of the people's and organisations' names (and surnames) the article writes in mixed
    case: form -> (the name, its type)."""
    forms: dict[str, tuple[str, EntityType]] = {}
    for span in spans:
        name = _without_possessive(span.text)
        if span.type in (PERSON, ORG) and not span.link and not name.isupper():
            forms.setdefault(name.upper(), (name, span.type))
    for surname in surnames:
        forms.setdefault(surname.upper(), (surname, PERSON))
    return {form: named for form, named in forms.items() if len(form) >= _MIN_SHOUTED}


def entities(
    spans: Sequence[Span],
    text_length: int,
    text: str = "",
    place_name: Callable[[str], str | None] = lambda _: None,
) -> tuple[Entity, ...]:
    """One entity per thing named: aliases resolved within the article (also a short name the ``text`` gives
    in parentheses), mentions counted, salience from how often and how early it is named (1.0 for the most
    salient). An entity's type is decided once its mentions are joined (``_entity_type``); a linked place may
    take its name from ``place_name`` (the country's own name, whatever the text wrote)."""
    aliases = _parenthesised(spans, text) if "(" in text else {}
    full_names = _FullNames(spans, aliases)
    groups: dict[str, tuple[Span, list[tuple[Span, EntityType]]]] = {}  # -> (full-name span, mentions and types)
    keys: dict[tuple[EntityType, str, str | None], tuple[str | None, str, EntityType]] = {}  # once an article
    for span in sorted(spans, key=lambda s: s.start):
        kind = ORG if span.text in aliases else span.type  # "(Lakex)", whatever a model took it for
        asked = (kind, span.text, span.link)
        if asked not in keys:
            keys[asked] = full_names.key(kind, _without_possessive(span.text.strip()), span.link)
        link, full, joined = keys[asked]
        group = link or _slug(full)  # one name, one entity, whatever types its mentions were given
        if group not in groups:
            groups[group] = (Span(span.start, span.end, joined, full, link), [])
        groups[group][1].append((span, kind))  # the type this mention was given, for the entity's vote
    scores = {key: sum(1.0 + (1.0 - s.start / max(text_length, 1)) for s, _ in mentions) for key, (_, mentions) in
              groups.items()}  # fmt: skip
    top = max(scores.values(), default=1.0)
    built: list[tuple[float, int, dict[str, object]]] = []  # (-salience, first offset, the entity's fields)
    for group, (head, mentions) in groups.items():
        kind = head.type if head.link else _entity_type(head.text, mentions)
        salience, first = round(scores[group] / top, 3), mentions[0][0].start
        name = (place_name(head.link) if head.link else None) or _readable_name(head, mentions)
        fields = {"id": head.link or f"{kind.value.lower()}:{group}", "name": name, "type": kind,
                  "mentions": len(mentions), "salience": salience, "first_offset": first}  # fmt: skip
        built.append((-salience, first, fields))
    built.sort(key=lambda entity: (entity[0], entity[1]))
    return _ENTITIES.validate_python([fields for _, _, fields in built])  # one call an article: half the cost


def _readable_name(head: Span, mentions: list[tuple[Span, EntityType]]) -> str:
    """A place first named in a wire headline's capitals ("JAPAN") goes by how the body writes it, else in
    title case."""
    if not (head.link and head.text.isupper() and len(head.text) > 3):
        return head.text
    written = next((span.text for span, _ in mentions if not span.text.isupper()), None)
    return written or head.text.title()


def _entity_type(name: str, mentions: list[tuple[Span, EntityType]]) -> EntityType:
    """An organisation when its name ends in an organisation word, before any "of" or "for" ("Continental Airlines",
    "Royal Institute of Chartered Surveyors", whatever a model read in it), or is a well-known one's ("BT");
    one word some mentions call an organisation and others a person, the organisation (as ``ner.consistent``
    decides); else the type most of its mentions have, ties to the full name's own mentions."""
    head = _OF_OR_FOR.split(name, maxsplit=1)[0]  # "Office of Federal Housing ...": "Office"
    if head.rsplit(maxsplit=1)[-1].rstrip(".") in _ORG_WORD_SET or name in companies():
        return ORG
    votes: dict[EntityType, int] = {}  # a plain count: a Counter costs more to build than the rest of this rule
    for _, kind in mentions:
        votes[kind] = votes.get(kind, 0) + 1
    person = votes.get(PERSON)
    if person and " " in name and is_given_name(name.split(" ", 1)[0]) and looks_like_a_person(name):
        return PERSON  # "Kelly Holmes" read once as a person, more often as a firm; not "C. Brandt"
    if " " not in name and votes.get(ORG) and person:
        return ORG  # one word read as both, and nobody named in full with it: "Skyvane's shares"
    ranked = sorted(votes.items(), key=_count, reverse=True)  # as Counter.most_common: ties in first-seen order
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        named = Counter(kind for span, kind in mentions if _without_possessive(span.text.strip()) == name)
        tied = {kind for kind, count in ranked if count == ranked[0][1]}
        for kind, _ in named.most_common():
            if kind in tied:
                return kind
    return ranked[0][0]


_ENTITIES = TypeAdapter(tuple[Entity, ...])


class _FullNames:
    """The longest names of people and organisations in an article, which shorter mentions join whichever
    comes first: a surname the person named in full ("Jackson" -> "Michael Jackson"), an acronym or a name's
    first words the organisation ("WHO", "Cairn" -> "Cairn Energy")."""

    def __init__(self, spans: Sequence[Span], aliases: dict[str, str] | None = None) -> None:
        ordered = sorted(spans, key=lambda s: s.start)
        self._aliases = aliases or {}  # an organisation's short name -> its full name
        names = dict.fromkeys((s.type, _without_possessive(s.text.strip())) for s in ordered if not s.link)
        by_length = sorted(names, key=lambda item: -len(item[1].split()))  # then in order of appearance
        self._people = [name for kind, name in by_length if kind is PERSON and " " in name]
        self._organisations = [name for kind, name in by_length if kind is ORG and " " in name]
        self._abbreviated = [(full, full.split(), _acronyms_of(full.split())) for full in self._organisations]
        self._place_links = {s.text: s.link for s in ordered if s.type is LOC and s.link}

    def key(self, kind: EntityType, name: str, link: str | None) -> tuple[str | None, str, EntityType]:
        """The gazetteer link of the entity a mention belongs to (None for people and organisations), the entity's
        name and the type it was given under that name. One word that another type's full name holds joins it
        ("Gaymard" typed as an organisation, "Herve Gaymard" a person: the person; "Cyacq" a person, "Cyacq Corp"
        a firm: the firm), unless it is a well-known organisation's name itself."""
        link = link or (self._place_links.get(name) if kind is LOC else None)  # one "Wales", not two
        if link:
            return link, name, kind
        full = self._full(kind, name)
        if full == name and " " not in name and not (kind is ORG and name in companies()):
            for other in (PERSON, ORG):
                crossed = self._full(other, name) if other is not kind else name
                if crossed != name:
                    kind, full = other, crossed
                    break
        return None, full, kind

    def _full(self, kind: EntityType, name: str) -> str:
        words = name.split()
        if kind is PERSON and len(words) == 1:
            for full in self._people:
                parts = full.split()
                if name == parts[-1] or (name == parts[0] and len(parts) >= 3 and len(name) <= 3):
                    return full
            people = [full for full in self._people if full.split()[0] == name]
            if len({full.split()[-1] for full in people}) == 1:
                return people[0]
        if kind is ORG:
            if name in self._aliases:
                return self._aliases[name]
            for full, parts, acronyms in self._abbreviated:
                if name in acronyms or (
                    len(words) < len(parts) and [_without_possessive(part) for part in parts[: len(words)]] == words
                ):
                    return full
        return name


def _parenthesised(spans: Sequence[Span], text: str) -> dict[str, str]:
    """Short names an article gives organisations in parentheses right after the full name, whatever their
    letters ("the American Stock Exchange (Amex)", "Bank of England (BoE)"): short -> full."""
    ordered = sorted((s for s in spans if s.type is not LOC and not s.link), key=lambda s: s.start)
    aliases: dict[str, str] = {}
    for full, short in itertools.pairwise(ordered):
        if (full.type is ORG and " " in full.text and " " not in short.text
                and text[full.end : short.start] == " ("
                and text[short.end : short.end + 1] == ")"):  # fmt: skip
            aliases.setdefault(short.text, _without_possessive(full.text.strip()))
    return aliases


def _acronym(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[:1].isupper())


def _acronyms_of(parts: list[str]) -> set[str]:
    """What an organisation's name is abbreviated to: its capitals' initials, also without a leading country
    ("ITC" for "U.S. International Trade Commission")."""
    found = {_acronym(" ".join(parts))}
    if len(parts) > 2 and parts[0] in _COUNTRY_PREFIXES:
        found.add(_acronym(" ".join(parts[1:])))
    return found


# Latin letters with no decomposition to an ASCII letter and a mark: NFKD alone would drop them ("Wałęsa" -> "waesa").
_UNDECOMPOSED = str.maketrans(
    {"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ß": "ss", "æ": "ae",
     "Æ": "ae", "œ": "oe", "Œ": "oe", "þ": "th", "Þ": "th", "\u0131": "i", "ħ": "h", "Ħ": "h", "ŧ": "t", "ŋ": "ng"}
)  # fmt: skip


@functools.lru_cache(maxsize=65_536)
def _slug(name: str) -> str:
    """The id part of a name: ASCII, lower case, words joined by "-" ("Lech Wałęsa" and "Lech Walesa": lech-walesa)."""
    if not name.isascii():
        name = unicodedata.normalize("NFKD", name.translate(_UNDECOMPOSED))
    ascii_name = name.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")
