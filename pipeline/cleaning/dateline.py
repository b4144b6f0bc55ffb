"""Wire datelines ("ANKARA/ISTANBUL (Reuters) -") lifted off the start of a story.

A dateline says where a story was filed and by which agency; it is not part of
the story's prose, so it is removed from the body and kept as a record. The
grammar is deliberately narrow: a normal first sentence must never be eaten.
"""

from __future__ import annotations

import re

from pipeline.records import Dateline

#: Agencies accepted after a mixed-case place ("Cleveland (AFP) -") or on their own
#: ("(Reuters) -"); an all-caps place is evidence enough and may name any source.
KNOWN_AGENCIES = frozenset(
    "aap afp ani ansa ap anadolu bernama bloomberg cp dpa efe ians kyodo pap pti reuters tass upi xinhua yonhap".split()
)
# Lower-case words that may sit inside a mixed-case place name ("Rio de Janeiro").
_PLACE_PARTICLES = frozenset(
    "al am an da das de del della des di do dos du el en la le les los on sur upon van von".split()
)
# All-caps labels that open wire copy but are not places ("EXCLUSIVE - ...").
_NOT_PLACES = frozenset(
    "ADVISORY ANALYSIS BREAKING COLUMN CORRECTED CORRECTION EDITORIAL EXCLUSIVE FACTBOX "
    "FEATURE INSIGHT LIVE NOTE OPINION REFILE UPDATE UPDATED URGENT WRAPUP".split()
)
#: Datelines are short; matching is limited to this prefix of the paragraph.
MAX_DATELINE_CHARS = 200

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_WORD = r"[^\W\d_][\w.'’&-]*"  # a place word starts with a letter: "ST.", "COX'S", "Port-au-Prince"
_PLACE = rf"{_WORD}(?:\ {_WORD}){{0,4}}"  # escaped space: used in a VERBOSE pattern
_DATELINE = re.compile(
    rf"""
    (?:(?P<places>{_PLACE}(?:\s?/\s?{_PLACE}){{0,3}})   # ANKARA/ISTANBUL
       (?:,\ (?P<region>{_PLACE}))?)?                  # , N.H.   , Iowa   , Bangladesh
    (?:,?\ ?(?P<date>{_MONTH}\.?\ \d{{1,2}}(?:,\ \d{{4}})?))?   # , Nov. 5
    (?:\ ?\((?P<source>[^\W\d_][^()\n]{{0,39}})\))?    # (Reuters)
    \ ?(?P<dash>--|[-\u2013\u2014\u2015])              # - – — --
    (?:\s+|(?<=[\u2013\u2014\u2015])|$)                # hyphens need a following space
    """,
    re.VERBOSE,
)


def parse_dateline(paragraph: str) -> tuple[Dateline, str] | None:
    """The dateline at the start of a paragraph and the text after it, or None."""
    match = _DATELINE.match(paragraph, 0, MAX_DATELINE_CHARS)
    if match is None or not _plausible(match):
        return None
    text = paragraph[: match.end("dash")]
    dateline = Dateline(places=_place_list(match), source=match["source"], text=text)
    return dateline, paragraph[match.end() :].strip()


def lift_dateline(paragraphs: list[str]) -> tuple[Dateline | None, list[str]]:
    """Remove a dateline from the first paragraph; a dateline alone on its line takes the line."""
    if not paragraphs:
        return None, paragraphs
    parsed = parse_dateline(paragraphs[0])
    if parsed is None:
        return None, paragraphs
    dateline, rest = parsed
    return dateline, ([rest] if rest else []) + paragraphs[1:]


def _plausible(match: re.Match[str]) -> bool:
    """Accept only shapes that are unmistakably datelines, not a sentence with a dash."""
    places, source, date = match["places"], match["source"], match["date"]
    agency = source is not None and _is_agency(source)
    if places is None:
        return agency if date is None else source is not None
    if _is_all_caps(places):
        if source is None and date is None and _continues_sentence(match):
            return False  # "NASA - the agency said": an acronym, not a place
        return _letters(places) >= 3 and _NOT_PLACES.isdisjoint(places.split())
    return agency and _is_mixed_case_place(places)


def _continues_sentence(match: re.Match[str]) -> bool:
    """True when lower-case text follows the dash, as after a parenthetical, not a dateline."""
    following = match.string[match.end() : match.end() + 1]
    return following.islower()


def _place_list(match: re.Match[str]) -> list[str]:
    """Places split on "/"; a region qualifier stays with the last place ("BEDFORD, N.H.")."""
    if match["places"] is None:
        return []
    places = [p.strip() for p in match["places"].split("/")]
    if match["region"]:
        places[-1] = f"{places[-1]}, {match['region']}"
    return places


def _is_agency(source: str) -> bool:
    """A wire agency name, allowing service suffixes such as "Reuters Health"."""
    first = source.split()[0].lower().rstrip(".")
    return first in KNOWN_AGENCIES or source.lower() in {"associated press", "the associated press"}


def _is_all_caps(places: str) -> bool:
    """Every cased letter is upper case (the house style for dateline places)."""
    return places.upper() == places and any(c.isupper() for c in places)


def _is_mixed_case_place(places: str) -> bool:
    """Capitalised words, allowing particles such as "de" inside ("Rio de Janeiro")."""
    words = places.replace("/", " ").split()
    return words[0][0].isupper() and all(w[0].isupper() or w in _PLACE_PARTICLES for w in words)


def _letters(text: str) -> int:
    """How many letters a string has."""
    return sum(c.isalpha() for c in text)
