"""Given names: what tells a capitalised pair such as "Tony Lester" is a person without a model.

The list is the US Census Bureau's 1990 frequently occurring first names (public domain), as shipped by the
PyPI package ``names`` 0.3.0 (MIT): 1,219 male and 4,275 female names with their share of the population.
Only names held by at least 1 in 10,000 people are kept (1,555), which drops the census's rare entries that
are mostly other words ("Golden", "China", "America", "Paris"); months are left out too. The list is
American: it knows "Tony" and "Hans" but not "Mauro" or "Shinzo".

News names people from everywhere, so the list is widened with the given names of the Latin-script locales of
the PyPI package ``Faker`` (MIT; lists of common first names per country its contributors compiled: Italian,
French, Pakistani, Polish, Turkish... "Mauro", "Philippe", "Agnieszka"), keeping only names that are rare as
English words (a Zipf frequency under 3.8: not "Blessing", "Comfort" or "Milan"), three letters or more, and
not one of a few that news uses as places or words ("Oman", "Kaiser"). Cyrillic, Greek, Arabic and East Asian
locales are left out: news in English transliterates them in ways the lists do not. A given name is one signal
among several (a role before the name, "said" after it, the surname repeated), never the only one.
"""

from __future__ import annotations

import importlib
import re
from functools import cache
from importlib import resources

import wordfreq

from news_ingest.tag.letters import LETTER, LOWER, UPPER

_MIN_SHARE = 0.01  # percent of the 1990 population holding the name
_MONTHS = frozenset(("April", "May", "June", "August"))
_FILES = ("dist.male.first", "dist.female.first")


def _listed(words: str) -> tuple[str, ...]:
    return tuple(words.split())


_LOCALES = _listed(
    "en_GB en_IE en_NZ en_IN en_PK en_KE en_NG it_IT fr_FR fr_CH de_DE de_AT es_ES es_MX es_AR pt_BR pt_PT nl_NL "
    "nl_BE pl_PL cs_CZ sk_SK sl_SI hr_HR hu_HU ro_RO sv_SE no_NO da_DK fi_FI et_EE lt_LT lv_LV tr_TR id_ID"
)
_RARE_AS_A_WORD = 3.8  # Zipf frequency of the lower-cased name as an English word: "Philippe" 3.55, "Milan" 4.05
# Entries of those lists that news uses mostly as places, words or surnames (read from the names between Zipf 3.0
# and 3.8): not given names here.
_NOT_GIVEN = frozenset(
    _listed(
        "Oman Trinidad Bali Bergen Kingston Warwick Elgin Aston Corona Verde Kaiser Viking Lavender Ramadan Imam "
        "Ibn "
        "Baba Prima Sonata Uno Mare Gunner Immaculate Purity Prudence Erdogan Silva Daniels Ronaldo Rembrandt "
        "Michelangelo Livingstone Georgian Philippine Cleopatra"
    )
)
_LATIN = re.compile(rf"[{UPPER}][{LOWER}]+(?:-[{UPPER}][{LOWER}]+)?")
_FAMILY = rf"(?:(?:bin|ibn|de|da|di|van|von|der|del|la|le) )?[{UPPER}][{LETTER}'\u2019-]*[{LOWER}]"
_GIVEN_FIRST = re.compile(rf"([{UPPER}][{LOWER}]+)(?: [A-Z]\.)?(?: {_FAMILY}){{1,2}}")
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
    return frozenset((found | _faker_names()) - _MONTHS)


def _faker_names() -> set[str]:
    """The Latin-script locales' given names that are rare as English words (see the module docstring)."""
    found: set[str] = set()
    for locale in _LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in ("first_names", "first_names_male", "first_names_female"):
            names = getattr(provider, attribute, ())
            found.update(names if isinstance(names, (list, tuple)) else names.keys())
    return {name for name in found if len(name) >= 3 and _LATIN.fullmatch(name) and name not in _NOT_GIVEN
            and wordfreq.zipf_frequency(name.lower(), "en") < _RARE_AS_A_WORD}  # fmt: skip


def is_given_name(word: str) -> bool:
    return word in given_names()


def looks_like_a_person(name: str) -> bool:
    """A given name and one or two family words ("Tony Lester", "George W. Bush"), or initials and a family
    name ("J. Ratcliffe")."""
    if _INITIAL_FIRST.fullmatch(name):
        return True
    match = _GIVEN_FIRST.fullmatch(name)
    return match is not None and is_given_name(match.group(1))
