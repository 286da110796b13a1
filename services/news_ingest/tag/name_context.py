"""When a place name in the text is part of a person's or an organisation's name, or a language's.

"Charles Kennedy", "Lord Irvine", "Judge Mann", "Morgan Stanley", "McDonnell Douglas", "Delta Air Lines", "Rio
Grande Drilling Co": a city or state name beside a capitalised word, after an honorific, or before a company word
names someone or something, not the place. "The Russian alphabet", "Indian food": a demonym before a language,
script or cuisine word says nothing about the country the story is about.
"""

from __future__ import annotations

import enum
import re

from news_ingest.tag.given_names import is_given_name
from news_ingest.tag.letters import LOWER, UPPER
from news_ingest.tag.words import zipf

HONORIFICS = frozenset(
    {"Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Professor", "Sir", "Dame", "Lord", "Lady", "Baroness", "Baron", "Judge",
     "Justice", "Rev", "Father", "Sister", "Brother", "President", "Senator", "Sen", "Rep", "Governor", "Gov",
     "General", "Gen", "Colonel", "Col", "Captain", "Capt", "Major", "Lieutenant", "Sergeant", "Chancellor",
     "Minister", "Secretary", "Mayor", "Prince", "Princess", "King", "Queen", "Coach", "Inspector", "Detective",
     "Officer", "Archbishop", "Bishop", "Cardinal", "Pope", "Saint", "Chairman", "Chief"}
)  # fmt: skip
# Capitalised words that name part of a place, not a person or a firm: "Greater London", "Central Paris".
_PLACE_MODIFIERS = frozenset(
    {"Greater", "Downtown", "Central", "North", "South", "East", "West", "Northern", "Southern", "Eastern", "Western",
     "Upper", "Lower", "Inner", "Outer", "Old", "New", "Metro", "Metropolitan", "Suburban", "Coastal", "Rural",
     "Urban", "Northeast", "Northwest", "Southeast", "Southwest", "Mid", "Far", "Near"}
)  # fmt: skip
# Words after a place name that make it a company's name ("Hanover Insurance", "Stanley Works").
_COMPANY_WORDS = frozenset(
    {"Co", "Corp", "Corporation", "Inc", "Incorporated", "Ltd", "Limited", "Plc", "PLC", "LLC", "Group", "Holdings",
     "Industries", "Bancorp", "Bancshares", "Bankshares", "Financial", "Savings", "Insurance", "Securities",
     "Capital", "Partners", "Investors", "Airlines", "Airways", "Air", "Aircraft", "Aviation", "Drilling",
     "Petroleum", "Oil", "Gas", "Energy", "Electric", "Edison", "Power", "Utilities", "Steel", "Motors", "Mining",
     "Minerals", "Resources", "Chemical", "Chemicals", "Pharmaceuticals", "Pharmaceutical", "Scientific", "Works",
     "Foods", "Brands", "Communications", "Telecom", "Systems", "Technologies", "Software", "Semiconductor",
     "Southern", "Pacific", "Railway", "Railroad", "Mills", "Textiles", "Paper", "Realty", "Properties", "Trust",
     "Bankcorp", "Federal", "Mutual", "Instruments", "Entertainment", "Pictures", "Records", "Publishing"}
)  # fmt: skip
# Words after a place name that make it a street's or a ground's ("Stamford Bridge" in London, "London Road" in
# Peterborough): the name of something elsewhere, no evidence for the place.
_STREET_WORDS = frozenset({"Bridge", "Road", "Street", "Avenue", "Lane", "Boulevard"})
_AIRLINE_WORDS = frozenset({"Air", "Airlines", "Airways", "Airline"})
# Words after a demonym that make it a language, a script or a dish: no country evidence.
_LANGUAGE_WORDS = frozenset(
    {"language", "languages", "alphabet", "script", "cuisine", "food", "foods", "dish", "dishes", "restaurant",
     "restaurants", "recipe", "recipes", "speaker", "speakers", "speaking", "translation", "translations",
     "subtitles", "dubbed", "grammar", "dialect", "dialects", "accent", "literature", "poetry", "word", "words",
     "fries", "toast", "roulette", "cheese", "delight", "numerals", "ink", "yoghurt", "yogurt", "breakfast",
     "mustard", "dressing", "takeaway", "curry", "cooking", "lessons", "teacher", "class", "classes", "course"}
)  # fmt: skip
_RARE_WORD_ZIPF = 3.0  # a sentence's first word this rare ("Andriy") is a first name, not an opening word
_SENTENCE_WORD_ZIPF = 4.5  # a sentence's first word this common ("Yesterday", "Visiting") is no first name
_WORD_BEFORE = re.compile(r"([A-Z][a-z]+\.?)\s$")
_WORD_AFTER = re.compile(r"^[ -]([A-Za-z]+)")
_NAME_AFTER = re.compile(rf"^\s([{UPPER}][{LOWER}]+)")


class Naming(enum.Enum):
    """What a place-name match is part of, when it is not the place."""

    PERSON = "person"  # "Lord Irvine", "Judge Mann": the word is this person's surname in the article
    NAME = "name"  # "Charles Kennedy", "Morgan Stanley": the last word of a name, so in this article it is a name
    ORGANISATION = "organisation"  # "Delta Air Lines", "Hanover Insurance", "Stamford Bridge": this mention only


def naming(before: str, after: str, *, leading_words: frozenset[str]) -> Naming | None:
    """Whether the city or state name between ``before`` and ``after`` is part of a person's or firm's name."""
    found = _by_word_before(before, leading_words)
    if found is not None:
        return found
    following = _NAME_AFTER.match(after)
    if following is not None and (following.group(1) in _COMPANY_WORDS or following.group(1) in _STREET_WORDS):
        return Naming.ORGANISATION
    return None


def _by_word_before(before: str, leading_words: frozenset[str]) -> Naming | None:
    # _WORD_BEFORE ends in whitespace (or whitespace and a newline): most windows are spared the search.
    previous = _WORD_BEFORE.search(before) if before[-1:].isspace() else None
    word = previous.group(1).rstrip(".") if previous is not None else ""
    if previous is None or word in leading_words or word in _PLACE_MODIFIERS:
        return None
    if word in HONORIFICS:
        return Naming.PERSON
    if previous.group(1).endswith("."):
        return None  # "on Tuesday. Moscow's ties": the place opens a sentence
    if not _sentence_start(before, previous):
        return Naming.NAME
    frequency = zipf(word.lower())
    if is_given_name(word) or frequency < _RARE_WORD_ZIPF:
        return Naming.NAME  # "Andriy Shevchenko scored": a first name opening the sentence
    # "Morgan Stanley said": likely a name, but only this mention is dropped; "Yesterday Paris ..." is the place
    return Naming.ORGANISATION if frequency < _SENTENCE_WORD_ZIPF else None


def names_an_airline(before: str, after: str) -> bool:
    """Any place or nationality in an airline's name ("Air France", "Air Canada", "Singapore Airlines",
    "Korean Air"): the firm, which says little of where the story is."""
    # Cheap tests first: "Air" and its whitespace end ``before``; every airline word starts with "Air".
    if "Air" in before[-5:]:
        previous = _WORD_BEFORE.search(before)
        if previous is not None and previous.group(1) == "Air":
            return True
    if after[1:4] != "Air":
        return False
    following = _NAME_AFTER.match(after)
    return following is not None and following.group(1) in _AIRLINE_WORDS


def names_a_language(after: str) -> bool:
    """A demonym followed by a language, script or cuisine word ("Russian alphabet", "Indian food")."""
    following = _WORD_AFTER.match(after)
    return following is not None and following.group(1).lower() in _LANGUAGE_WORDS


def _sentence_start(before: str, previous: re.Match[str]) -> bool:
    """The capitalised word before the place opens a sentence ("Yesterday Paris said"): it says nothing."""
    head = before[: previous.start()].rstrip()
    return not head or head[-1] in '.!?:;"\u201c(\n'
