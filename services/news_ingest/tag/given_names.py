"""Given names: what tells a capitalised pair such as "Tony Lester" is a person without a model.

The list is the US Census Bureau's 1990 frequently occurring first names (public domain), as shipped by the
PyPI package ``names`` 0.3.0 (MIT): 1,219 male and 4,275 female names with their share of the population.
Only names held by at least 1 in 10,000 people are kept (1,555), which drops the census's rare entries that
are mostly other words ("Golden", "China", "America", "Paris"); months are left out too. The list is
American: it knows "Tony" and "Hans" but not "Sergei" or "Shinzo", so it is one signal among several (a
role before the name, "said" after it, the surname repeated), never the only one.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_MIN_SHARE = 0.01  # percent of the 1990 population holding the name
_MONTHS = frozenset(("April", "May", "June", "August"))
_FILES = ("dist.male.first", "dist.female.first")
_FAMILY = r"(?:(?:bin|ibn|de|da|di|van|von|der|del|la|le) )?[A-Z][a-zA-Z'\u2019-]*[a-z]"
_GIVEN_FIRST = re.compile(rf"([A-Z][a-z]+)(?: [A-Z]\.)?(?: {_FAMILY}){{1,2}}")
_INITIAL_FIRST = re.compile(rf"[A-Z]\. (?:[A-Z]\. )?{_FAMILY}")


@cache
def given_names() -> frozenset[str]:
    """Given names in title case ("Tony", "Mary-Ann" is not one: the census writes none with hyphens)."""
    found: set[str] = set()
    for name in _FILES:
        for line in resources.files("names").joinpath(name).read_text(encoding="ascii").splitlines():
            fields = line.split()
            if len(fields) >= 2 and float(fields[1]) >= _MIN_SHARE:  # name, share, cumulative share, rank
                found.add(fields[0].title())
    return frozenset(found - _MONTHS)


def is_given_name(word: str) -> bool:
    return word in given_names()


def looks_like_a_person(name: str) -> bool:
    """A given name and one or two family words ("Tony Lester", "George W. Bush"), or initials and a family
    name ("J. Ratcliffe")."""
    if _INITIAL_FIRST.fullmatch(name):
        return True
    match = _GIVEN_FIRST.fullmatch(name)
    return match is not None and is_given_name(match.group(1))
