"""Sports clubs in results and standings lines: a name followed by a score there is a team, not a place.

Wire sports copy is full of lines such as "Harbourside 2 Millbrook 1" (a result), "Northshire 10 7 2 1 20 9 23"
(a standings row), "Northshire 259 and 207 (J. Amesbury 69), Westmoor 114" (a cricket score) and "DETROIT AT
BOSTON" (a fixture). A gazetteer or a statistical model reads a city's name there as the city; it is the
club. A line counts as a results line when, outside parentheses (which hold players and their figures), it
holds scores and capitalised names and no other lower-case words than a few joiners. Work is linear in the
line: tokens are scanned once, no backtracking regular expression runs.

In sports copy a club is also named in prose: "Leicestershire beat Somerset by an innings", "their match
against Nottinghamshire", "title rivals Essex". In an article that is about sport (a sports desk's headline,
or several sports words), a name a sports verb or preposition puts in a team's place is a team
(``team_names_in_prose``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import ahocorasick_rs

_TOKEN = re.compile(r"\S+")
_SCORE = re.compile(r"\d{1,3}")
_FIGURE = re.compile(r"\d{1,3}|\.\d{3}|\d{1,3}-\d{1,3}|\d{1,2}\.\d{1,2}")  # scores, win shares, 4-43, overs
_DIGIT = re.compile(r"\d")
# A lower-case word that is not a joiner (_JOINERS' others do not start with a letter): the first one found
# is enough to tell prose, so one search replaces listing every word of a long line.
_PROSE_WORD = re.compile(r"(?<!\S)(?!(?:and|at|vs\.|vs|v)(?!\S))[a-z]\S*")
_RANK = re.compile(r"\d{1,3}\.")
_JOINERS = frozenset({"and", "v", "vs", "vs.", "at", "'s", "-", ",", ":", ";"})
_FIXTURE = re.compile(r"([A-Z][A-Z.' -]{1,40}?) (?:AT|VS\.?|V) ([A-Z][A-Z.' -]{1,40})")
_MAX_LINE_CHARS = 400  # a results line is short; longer ones are prose and are not scanned
_SPORTS_DESK = re.compile(
    r"(?:SOCCER|FOOTBALL|CRICKET|RUGBY|BASEBALL|BASKETBALL|ICE HOCKEY|NHL|NBA|NFL|HOCKEY|TENNIS|GOLF)\b"
)


def _listed(words: str) -> tuple[str, ...]:
    return tuple(words.split())


_SPORTS_WORDS = _listed(
    "innings wicket wickets goal goals striker midfielder goalkeeper penalty semi-final quarter-final league "
    "championship season match coach fixture points play-off play-offs playoff playoffs touchdown pitcher scored "
    "defender title relegation promoted unbeaten derby draw drew squad fans"
)
# One pass of an automaton over the lower-cased head of the text (a regex alternation of 40 words tried at every
# position costs ten times as much); whole words only.
_SPORTS_FINDER = ahocorasick_rs.AhoCorasick(_SPORTS_WORDS, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
_SPORTS_HEAD_CHARS = 3000
_LISTED = re.compile(r" ?, | and | ?, and ")
_MIN_SPORTS_WORDS = 4  # distinct ones
_TEAM_AFTER = re.compile(
    r" (?:beat|beats|drew|draw with|lost|lose|defeated|thrashed|edged|trailed|were bowled|declared|"
    r"won \d|scored \d|lead the|led the|top the|topped|(?:v|vs\.?)(?= [A-Z]))\b"
    # a squad's roles: "the former Blackburn skipper", "Bolton's manager", "Leeds fans"
    r"|(?:'s|\u2019s)? (?:manager|coach|skipper|captain|striker|midfielder|goalkeeper|defender|winger|"
    r"chairman|boss|supporters|fans|squad|line-up|bowler|batsman|opener|pitcher|quarterback)\b"
)
_TEAM_BEFORE = re.compile(
    r"\b(?:against|beat|beating|defeated|v|vs\.?|lost to|drew with|draw with|draw against|rivals|champions|"
    r"hosts|visitors|joined|signed for|sign for|at home to|away to|away at|win over|victory over) $"
)


def team_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every team name on the results lines of ``text``."""
    found: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        if len(line) <= _MAX_LINE_CHARS and _maybe_results(line):
            found += [(offset + start, offset + end) for start, end in _line_teams(line)]
        offset += len(line) + 1
    return found


def _maybe_results(line: str) -> bool:
    """A cheap first look: a results line has a digit or a fixture's AT, and outside parentheses no prose."""
    if not _DIGIT.search(line) and " AT " not in line and " V " not in line and " VS" not in line:
        return False
    return "(" in line or _PROSE_WORD.search(line) is None


def _line_teams(line: str) -> Iterator[tuple[int, int]]:
    fixture = _FIXTURE.fullmatch(line.strip())
    if fixture is not None:
        lead = len(line) - len(line.lstrip())
        yield lead + fixture.start(1), lead + fixture.end(1)
        yield lead + fixture.start(2), lead + fixture.end(2)
        return
    every = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(line)]
    tokens = _outside_parentheses(every)
    figures = [_FIGURE.fullmatch(word.rstrip(",;")) is not None for _, _, word in tokens]
    if not any(figures) or any(_is_prose(word) for _, _, word in tokens):
        return
    starts = {start: n for n, (start, _, _) in enumerate(every)}
    run: int | None = None  # index in ``tokens`` where the current run of capitalised words began
    for n, (_, _, word) in enumerate(tokens):
        if word[:1].isupper() or (word == "'s" and run is not None):
            run = n if run is None else run
            continue
        if run is not None and _SCORE.fullmatch(word.rstrip(",;")) and _a_team(every, starts[tokens[run][0]], n - run):
            yield tokens[run][0], tokens[n - 1][1]
        run = None


def _a_team(every: list[tuple[int, int, str]], first: int, words: int) -> bool:
    """Not a competitor: a ranked name ("5. Okafor 12") or one followed by a nationality or club in
    parentheses ("Pedro Alves (Brazil) 1") is a person."""
    after = first + words
    ranked = first > 0 and _RANK.fullmatch(every[first - 1][2]) is not None
    return not ranked and not (after < len(every) and every[after][2].startswith("("))


def _outside_parentheses(tokens: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    kept, depth = [], 0
    for token in tokens:
        word = token[2]
        if word.startswith("("):
            depth += 1
        if depth == 0:
            kept.append(token)
        if word.rstrip(",;:.").endswith(")"):
            depth = max(0, depth - 1)
    return kept


def _is_prose(word: str) -> bool:
    return word[:1].islower() and word not in _JOINERS


def is_sports_article(text: str) -> bool:
    """A sports desk's headline ("CRICKET - ..."), or several distinct sports words in the text."""
    if _SPORTS_DESK.match(text):
        return True
    head = text[:_SPORTS_HEAD_CHARS].lower()
    found = {
        index
        for index, start, end in _SPORTS_FINDER.find_matches_as_indexes(head)
        if not (start and head[start - 1].isalpha()) and not (end < len(head) and head[end].isalpha())
    }
    return len(found) >= _MIN_SPORTS_WORDS


def team_names_in_prose(text: str, names: dict[str, list[tuple[int, int]]]) -> set[str]:
    """The ``names`` (name -> where it stands) that a sports verb or preposition names as a team at least once."""
    teams = {name for name, where in names.items()
             if any(_TEAM_AFTER.match(text, end) or _TEAM_BEFORE.search(text, max(0, start - 20), start)
                    for start, end in where)}  # fmt: skip
    # "title rivals Essex, Derbyshire and Surrey": a name listed with a team is one too
    spots = sorted((start, end, name) for name, where in names.items() for start, end in where)
    for _ in range(2):
        for (_, end, first), (start, _, second) in itertools.pairwise(spots):
            if (first in teams) != (second in teams) and _LISTED.fullmatch(text, end, start):
                teams |= {first, second}
    return teams
