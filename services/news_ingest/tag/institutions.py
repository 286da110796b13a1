"""National institutions whose names place a story in one country without naming it.

A UK politics story may never write "Britain": it writes "the Commons", "Downing Street", "the Liberal
Democrats". Each name here belongs to one country's legislature, seat or office of government, national party,
central bank, national broadcaster or national league, and is not shared with another country's. They count as
weaker evidence than the country's own name (see ``regions._WEIGHTS``). The list is public fact, curated and
worded for this project; a name is left out when another country uses it too ("Senate", "Congress", "Supreme
Court", "Parliament", "Labour", "Treasury").
"""

from __future__ import annotations

INSTITUTIONS: dict[str, tuple[str, ...]] = {
    "GB": (
        "House of Commons",
        "Commons",
        "House of Lords",
        "Downing Street",
        "Whitehall",
        "Westminster",
        "Liberal Democrats",
        "Lib Dems",
        "Lib Dem",
        "Liberal Democrat",
        "Tories",
        "Tory",
        "Conservative Party",
        "Labour Party",
        "Scottish Parliament",
        "Holyrood",
        "Welsh Assembly",
        "Stormont",
        "Bank of England",
        "Home Office",
        "Foreign Office",
        "Ministry of Defence",
        "Chancellor of the Exchequer",
        "Home Secretary",
        "Foreign Secretary",
        "NHS",
        "Ofcom",
        "Ofsted",
        "Ofwat",
        "Ofgem",
        "BBC",
        "Scotland Yard",
        "Met Police",
        "Premier League",
        "FTSE",
        "Old Bailey",
        "Crown Prosecution Service",
        "MI5",
        "MI6",
        "HM Revenue",
    ),
    "US": (
        "White House",
        "Pentagon",
        "Capitol Hill",
        "Oval Office",
        "Federal Reserve",
        "Wall Street",
        "FBI",
        "CIA",
        "State Department",
        "Justice Department",
        "Treasury Department",
        "Commerce Department",
        "Homeland Security",
        "Securities and Exchange Commission",
        "Federal Trade Commission",
        "Internal Revenue Service",
        "NASA",
        "House of Representatives",
        "Nasdaq",
        "Dow Jones",
        "NFL",
        "NBA",
        "Major League Baseball",
        "NHL",
    ),
    "RU": ("Kremlin", "State Duma", "Duma", "Gazprom", "Roscosmos", "FSB"),
    "DE": ("Bundestag", "Bundesrat", "Bundesbank", "Bundesliga", "Bundeswehr", "Christian Democrats", "CDU", "SPD"),
    "FR": (
        "Elysee Palace",
        "\u00c9lys\u00e9e",
        "Elysee",
        "Quai d'Orsay",
        "Matignon",
        "National Assembly of France",
        "Ligue 1",
        "Banque de France",
    ),
    "JP": ("Bank of Japan", "Nikkei", "Liberal Democratic Party of Japan", "Diet of Japan"),
    "IN": ("Lok Sabha", "Rajya Sabha", "Reserve Bank of India", "Bharatiya Janata Party", "BJP"),
    "IL": ("Knesset", "Likud", "Mossad"),
    "UA": ("Verkhovna Rada",),
    "CN": ("Zhongnanhai", "People's Liberation Army", "Xinhua"),
    "AU": ("Reserve Bank of Australia",),
    "CA": ("Bank of Canada", "Parliament Hill"),
    "IE": ("Dail", "D\u00e1il", "Taoiseach", "Fianna Fail", "Fine Gael"),
}

# Names above that are places, posts or adjectives rather than an organisation's name: country evidence, but
# not organisation entities ("Downing Street" is a street, "Tory" qualifies an MP).
_NOT_ORGANISATIONS = frozenset(
    (
        "Downing Street", "Whitehall", "Westminster", "Capitol Hill", "Wall Street", "Oval Office", "Zhongnanhai",
        "Parliament Hill", "Holyrood", "Stormont", "Elysee Palace", "\u00c9lys\u00e9e", "Elysee", "Matignon",
        "Quai d'Orsay", "Old Bailey", "Tory", "Lib Dem", "Liberal Democrat", "Taoiseach",
        "Chancellor of the Exchequer", "Home Secretary", "Foreign Secretary", "HM Revenue", "Commons",
    )
)  # fmt: skip
# Parties whose names several countries use: no country evidence, but organisations wherever they are named.
_SHARED_PARTIES = ("Conservatives", "Labour", "Democrats", "Republicans", "Social Democrats", "Greens")


def organisations() -> tuple[str, ...]:
    """Organisation names from the table (and shared party names) for the entity rules."""
    named = [name for names in INSTITUTIONS.values() for name in names if name not in _NOT_ORGANISATIONS]
    return (*named, *_SHARED_PARTIES)
