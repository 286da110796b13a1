"""Names no pattern introduced, typed by how the article uses them: the fast profile's last pass.

The fast profile finds people by their given names or a role before them and organisations by their last
word; modern firms and acronyms carry neither ("Boeing", "Ryanair", "NationsBank", "OSCE"). A capitalised
word or an acronym is taken here only when the article itself says it is a name and which kind:

- it is written capitalised inside a sentence and never after "the" ("the Government", "the Budget" are not
  names), it stands alone (not part of a longer capitalised run), and it is no place, nationality, given
  name, month, day or role;
- its type comes from the words around it, seen at least once: a person "said" / "told" / ", who" / ", 52,"
  / "'s wife"; an organisation "'s shares" / "shares in" / ", which" / "said in a statement" / " Inc",
  or a shape only firms have ("NationsBank", "KeyCorp": a capital inside the word);
- an acronym (two to six capitals) is an organisation when it is written in a sentence with lower-case
  words at least twice, or right after the name it abbreviates in parentheses; units, currencies, time zones
  and the like are not ("GMT", "GDP", "CEO").

A word with no telling context is left out: this pass is for recall at the precision the rest keeps.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from news_ingest.models import EntityType
from news_ingest.tag.given_names import is_given_name
from news_ingest.tag.letters import LOWER, UPPER
from news_ingest.tag.refine import NOT_ACRONYMS, is_prose_line
from news_ingest.tag.span import ORG, PERSON, Span
from news_ingest.tag.words import zipf

# A capitalised word after a lower-case word or a comma (not a sentence's first word), as a whole word.
# (starting with the space, then looking behind it, lets the regex engine skip ahead to spaces: 1.8x faster)
_MID_SENTENCE_WORD = re.compile(
    rf" (?<=[{LOWER},;:] )([{UPPER}][{LOWER}]+(?:[A-Z][{LOWER}]+)*)(?![\w-]|[.&]\w| [{UPPER}&])"
)
_JOINED = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'\u2019.&-")
_JOINED_AFTER = re.compile(rf"\w|[-.&]\w| [{UPPER}&]")
# Two to six capitals. Patterns scanned over a whole text spell their first classes out ("[A-Z]{2,6}" is ~1.7x
# slower) and start with a literal where they can (a space, with a look-behind after it): the regex engine tests
# the first item alone at each position.
_ACRONYM = re.compile(r"[A-Z][A-Z][A-Z]{0,4}(?![\w'\u2019&-]|\.\w| [A-Z][a-z])")  # and not inside a word: _alone_at
_ANY_ACRONYM = re.compile(r"[A-Z][A-Z]")
_BRACKETED = re.compile(r"\( ?[A-Z]{2,6} ?\)")
_CAMEL = re.compile(r"[A-Z][a-z]+[A-Z][a-z]+")
_DEFINED = re.compile(r"[A-Z][\w&.-]*(?: (?:of|for|and|de|&|[A-Z][\w&.-]*))+ \( ?([A-Z]{2,6}) ?\)")
_PERSON_AFTER = re.compile(r"(?:'s|\u2019s)? (?:said|says|told|added|, who\b|, \d{1,2},|'s wife|'s husband|, aged)")
_PRONOUN = re.compile(r"\b(?:(he|she|his|her|him)|(it|its))\b")  # the first after a mention: who or what it is
_PERSON_BEFORE = re.compile(r"\b(?:said|told|according to) $")
_ORG_AFTER = re.compile(
    r"(?: Inc\b| Corp\b| Ltd\b| Plc\b| said in a statement|(?:'s|\u2019s) (?:shares|stock|chief executive|"
    r"board|shareholders|profits?|sales|customers)| shares\b|, which\b| shareholders)"
)
_ORG_BEFORE = re.compile(
    r"\b(?:shares in|shares of|stake in|bid for|bidding for|takeover of|merger with|rival|rivals|joined|"
    r"percent of|control of|control over|unit of|owner of) $"
)
_PLACE_BEFORE = re.compile(r"\b(?:in|to|from|near|into|across|outside|of) $")  # a place takes "it" too
_CAPITALISED_BEFORE = re.compile(rf"[{UPPER}][\w'\u2019.-]* $")
_NUMBER_BEFORE = re.compile(r"(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten)) $")
_SURNAME_PREFIX = re.compile(r"(?:Mc|Mac|De|Di|La|Le|Van|Von)[A-Z]")
_NOT_AFTER_THE = re.compile(r"\b[Tt]he $")
_MID_SENTENCE = re.compile(rf"[{LOWER},;:] $")


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_NOT_WORDS = _set(
    "Christmas Easter Ramadan Internet Web God Islam Christianity Mass Bible Koran Olympics Olympic Euro "
    "Budget Government Parliament Cabinet Opposition Queen King President Minister Premier League Cup Lord Lady "
    "Sir Mr Mrs Ms Dr Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May "
    "June July August September October November December"
)
_MIN_MENTIONS = 2  # a word named once is left to the other rules: one mention gives too little context
_ZIPF = 4.0  # an acronym that is also a common word ("IN", "UNIT" in a headline) is that word
_COMMON_ZIPF = 4.5  # a word this common in lower case is a name only with an organisation's context


def guessed(text: str, taken: Callable[[int, int], bool], is_place: Callable[[str], bool]) -> list[Span]:
    """People and organisations the other rules missed (see the module docstring); ``taken`` says whether a
    character range overlaps a span already found, ``is_place`` whether a word is a place or nationality."""
    found = _single_words(text, taken, is_place)
    if _ANY_ACRONYM.search(text):
        found += _acronyms(text, taken, is_place)
    return found


def _single_words(text: str, taken: Callable[[int, int], bool], is_place: Callable[[str], bool]) -> list[Span]:
    found: list[Span] = []
    candidates = set(_MID_SENTENCE_WORD.findall(text)) - _NOT_WORDS  # a name is written inside a sentence
    for word in candidates:
        if is_given_name(word) or is_place(word) or text.count(word) < _MIN_MENTIONS:  # cheap tests first
            continue
        matches = [m for m in _occurrences(text, word) if not taken(m[0], m[1])
                   and not _CAPITALISED_BEFORE.search(text, max(0, m[0] - 30), m[0])]  # fmt: skip
        kind = _kind_of(word, matches, text) if matches else None
        if kind is not None:
            found += [Span(start, end, kind, word) for start, end in matches]
    return found


def _occurrences(text: str, word: str) -> list[tuple[int, int]]:
    """Where ``word`` stands alone: not inside a longer word nor followed by another capitalised word."""
    found, at = [], text.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or text[at - 1] not in _JOINED) and not _JOINED_AFTER.match(text, end):
            found.append((at, end))
        at = text.find(word, end)
    return found


def said_of_a_firm(text: str, start: int, end: int) -> bool:
    """The words around ``text[start:end]`` say it is a firm: "'s shares", "shares in", "Inc", "said in a
    statement", "a stake in"..."""
    return bool(_ORG_AFTER.match(text, end) or _ORG_BEFORE.search(text, max(0, start - 30), start))


def _kind_of(word: str, matches: list[tuple[int, int]], text: str) -> EntityType | None:
    befores = [text[max(0, start - 30) : start] for start, _ in matches]
    if any(_NOT_AFTER_THE.search(before) for before in befores):
        return None
    if not any(_MID_SENTENCE.search(before) for before in befores):
        return None
    afters = [text[end : end + 60] for _, end in matches]
    firm = bool(_CAMEL.fullmatch(word) and not _SURNAME_PREFIX.match(word))
    firm = firm or any(_ORG_AFTER.match(after) for after in afters)
    firm = firm or any(_ORG_BEFORE.search(before) for before in befores)
    person = any(_PERSON_AFTER.match(after) for after in afters) or any(_PERSON_BEFORE.search(b) for b in befores)
    if not person and not firm and not any(_PLACE_BEFORE.search(before) for before in befores):
        pronouns = [_PRONOUN.search(after.partition(". ")[0]) for after in afters]  # the same sentence only
        firm = any(p is not None and p.group(2) is not None for p in pronouns)
        person = any(p is not None and p.group(1) is not None for p in pronouns) and not word.endswith("s")
    if person == firm:
        return None
    if person and zipf(word.lower()) >= _COMMON_ZIPF:
        return None
    return PERSON if person else ORG


def _acronyms(text: str, taken: Callable[[int, int], bool], is_place: Callable[[str], bool]) -> list[Span]:
    defined = {match.group(1) for match in _DEFINED.finditer(text)} if _BRACKETED.search(text) else set()
    counts: dict[str, list[re.Match[str]]] = {}
    for match in _ACRONYM.finditer(text):
        if not match.start() or text[match.start() - 1] not in _JOINED:
            counts.setdefault(match.group(0), []).append(match)
    found: list[Span] = []
    for acronym, all_matches in counts.items():
        if acronym in NOT_ACRONYMS or is_place(acronym) or _a_word(acronym):
            continue
        matches = [m for m in all_matches if not _NUMBER_BEFORE.search(text, max(0, m.start() - 8), m.start())]
        if acronym in defined or sum(is_prose_line(text, m.start()) for m in matches[:3]) >= 2:
            found += [Span(m.start(), m.end(), ORG, acronym) for m in matches
                      if not taken(m.start(), m.end())]  # fmt: skip
    return found


@functools.lru_cache(maxsize=65_536)
def _a_word(acronym: str) -> bool:
    """An acronym that is also a common word ("IN", "UNIT" in a headline) is that word."""
    return zipf(acronym.lower()) >= _ZIPF
