"""Given names and the gender they usually go with, for telling "she" from "he".

The lists are the US Census Bureau's 1990 frequency tables of first names (public facts),
as the `names` package installs them: 4,275 women's and 1,219 men's names with the share
of people carrying each. They are American but broad (Marta, Tomas, Ines, Stefan, Ingrid);
a name in both lists goes with the gender that carries it at least four times as often,
else with none.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import resources

_FILES = {"f": "dist.female.first", "m": "dist.male.first"}
_CLEAR_MAJORITY = 4.0  # a name shared by both lists needs this ratio to count as one gender's
# Names whose gender turns with the language: a woman's in the US lists, a man's in French or
# Italian (Jean Castex, Andrea Pirlo, Nicola Sturgeon is a woman), or a family name first (Kim).
_BY_LANGUAGE = frozenset({"jean", "andrea", "nicola", "simone", "michele", "gabriele", "sasha", "kim", "claude"})


@cache
def _shares() -> dict[str, dict[str, float]]:
    """name (lower case) -> {gender: percent of people of that gender who carry it}."""
    out: dict[str, dict[str, float]] = {}
    for gender, file_name in _FILES.items():
        for line in (resources.files("names") / file_name).read_text(encoding="ascii").splitlines():
            fields = line.split()
            if len(fields) >= 2:
                out.setdefault(fields[0].lower(), {})[gender] = float(fields[1])
    return out


def given_name_gender(word: str) -> str | None:
    """ "f", "m" or None (not a listed given name, or one both genders carry). The lists are
    written without accents, so "Siobhán", "José" and "Zoë" are read as Siobhan, Jose and Zoe."""
    key = unaccented(word.lower())
    shares = _shares().get(key)
    if not shares or key in _BY_LANGUAGE:
        return None
    f, m = shares.get("f", 0.0), shares.get("m", 0.0)
    if f >= _CLEAR_MAJORITY * m:
        return "f"
    if m >= _CLEAR_MAJORITY * f:
        return "m"
    return None


def name_gender(word: str) -> str | None:
    """The gender a word already known to be someone's first name usually goes with: the census
    lists' answer when they hold the name (a name they give to both stays without one), else the
    world list in `data/given_names.tsv` (Anjali, Declan, Mikael, Kwame: names of many countries,
    kept when at least nine in ten of the people counted with it are of one gender). Recognising
    a word as a given name at all stays with the census lists (`given_name_gender`): a word that is
    a first name somewhere is often a place or a brand in English copy."""
    key = unaccented(word.lower())
    if key in _shares() or key in _BY_LANGUAGE:
        return given_name_gender(word)
    return _world().get(key)


@cache
def _world() -> dict[str, str]:
    """name (lower case, unaccented) -> "f" or "m", from the packaged table."""
    text = (resources.files("pipeline.entities") / "data" / "given_names.tsv").read_text(encoding="ascii")
    return dict(line.split("\t") for line in text.splitlines())


def unaccented(word: str) -> str:
    """The word without its accents (NFKD, combining marks dropped): "siobhán" -> "siobhan"."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))
