"""Words of dates and timestamps, which capitalised-name rules take for names: "Wed, Jan", "Published: Tuesday,
January", "PM EST Nov" typed as organisations, or a month glued to a name ("Trump's Oct. 21 meeting", "Walnut
Creek June 23").

A span made of nothing else is no name; a month or weekday closing a span is cut off it when it is written short
("Oct", "Tue.") or a day's number follows it ("June 23"): a full month name alone may be a surname ("Theresa
May", "Brian May", "Fredric March").
"""

from __future__ import annotations

import re


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_WEEKDAYS = _words("Monday Tuesday Wednesday Thursday Friday Saturday Mon Tue Tues Wed Thu Thur Thurs Fri Sat")
_MONTHS = _words("January February March April May June July August September October November December")
_SHORT_MONTHS = _words("Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec")
_TIMES = _words("AM PM am pm a.m. p.m. GMT UTC BST CET CEST EST EDT CST CDT MST MDT PST PDT ET PT IST JST AEST AEDT")
_LABELS = _words("Published Updated Posted Modified Transmitted Print Date First Last Content on at")
_DATE_WORDS = frozenset((*_WEEKDAYS, *_MONTHS, *_SHORT_MONTHS, *_TIMES, *_LABELS))
_MONTH_WORDS = frozenset((*_MONTHS, *_SHORT_MONTHS))
_WEEKDAY_WORDS = frozenset(_WEEKDAYS)  # "Sun" is not one: "The Sun", "Toronto Sun"
_LAST_WORD = re.compile(r"[,:]? ([A-Za-z]+)\.?,?$")
_DAY_AFTER = re.compile(r"\.? ?\d")
_WORD = re.compile(r"[A-Za-z][A-Za-z.]*")


def is_date_only(name: str) -> bool:
    """Every word of ``name`` is a weekday, a month, a time word or a timestamp's label ("Published: Tuesday")."""
    words = _WORD.findall(name)
    return bool(words) and all(word in _DATE_WORDS or word.rstrip(".") in _DATE_WORDS for word in words)


def date_free_end(text: str, start: int, end: int) -> int:
    """Where the name in ``text[start:end]`` ends once the weekdays, and the months a day's number follows,
    closing it are cut off ("Trump's Oct" of "Trump's Oct. 21": "Trump's")."""
    while True:
        found = _LAST_WORD.search(text[start:end])
        if found is None:
            return end
        word = found[1]
        if not (word in _WEEKDAY_WORDS or (word in _MONTH_WORDS and _DAY_AFTER.match(text, end))):
            return end
        end = start + found.start()
