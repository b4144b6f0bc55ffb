"""Trailing credit lines and wire boilerplate lifted off the end of a story.

Credit lines name the journalists who filed, wrote and edited the copy. They are
not part of the story, and entity extraction must not mistake them for people in
the news, so they are removed from the body and kept as a `Credits` record. A
final paragraph is only removed when every part of it parses as a credit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.records import Credits

#: Credit lines are short; longer paragraphs are story text.
MAX_CREDIT_CHARS = 400

_ROLE_FIELDS = {
    "reporting": "reporting",
    "reported": "reporting",
    "research": "reporting",
    "writing": "writing",
    "written": "writing",
    "compiled": "writing",
    "editing": "editing",
    "edited": "editing",
}
_ROLE = re.compile(rf"(?:additional\s+)?(?P<role>{'|'.join(_ROLE_FIELDS)})\s+by\s+", re.IGNORECASE)
_CONTRIBUTING = re.compile(r"contributing(?:\s+reporting)?\s*:\s*(?P<names>.+)", re.IGNORECASE)
_CONTRIBUTED = re.compile(
    r"(?:(?:the\s+)?(?:associated\s+press|ap|reuters|afp)\s+(?:staff\s+)?"
    r"(?:writers?|reporters?|correspondents?)\s+)?"
    r"(?P<names>.+?)\s+contributed(?:\s+reporting)?"
    r"(?:\s+(?:to|for)\s+this\s+(?:report|story|article))?(?:\s+from\s+[^.;]+)?",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"""
      our\ standards:.*                                   # Reuters trust principles link
    | (?:©|\(c\)|copyright\s*(?:©|\(c\))?\s*\d{4}).*      # © 2016 Reuters / Copyright 2016 The AP
    | all\ rights\ reserved\.?
    | this\ material\ may\ not\ be\ published.*
    """,
    re.IGNORECASE | re.VERBOSE,
)
# A parenthesised credit appended to the story's last paragraph instead of standing alone.
_TRAILING_PARENTHESIS = re.compile(r"\s*\((?P<credit>[^()]+)\)\.?$")
_NAME_SEPARATORS = re.compile(r"\s*(?:[,;&]|\band\b)\s*")
_NAME_PARTICLES = frozenset("al bin binti da das de del della der di do dos du el ibn la le st ter van von y".split())
_MAX_NAME_WORDS = 6
_DIGIT = re.compile(r"\d")
_ORGANISATION_WORDS = frozenset("Agency Bureau Media Network News Newspapers Press Service Staff Wire".split())


def is_boilerplate(paragraph: str) -> bool:
    """A trailing line that belongs to the wire service, not the story."""
    return len(paragraph) <= MAX_CREDIT_CHARS and _BOILERPLATE.fullmatch(paragraph) is not None


def parse_credit_line(paragraph: str) -> Credits | None:
    """Credits named by a paragraph that is nothing but a credit line, else None."""
    if len(paragraph) > MAX_CREDIT_CHARS:
        return None
    line = _unwrap(paragraph)
    if "contribut" in line.lower():
        for pattern in (_CONTRIBUTING, _CONTRIBUTED):
            match = pattern.fullmatch(line)
            if match:
                names = _split_names(match["names"])
                return Credits(reporting=names) if names else None
    return _parse_role_segments(line)


def lift_credits(paragraphs: list[str]) -> tuple[Credits, list[str]]:
    """Remove trailing credit and boilerplate paragraphs; the lead paragraph always stays."""
    found: list[Credits] = []
    end = len(paragraphs)
    while end > 1:
        last = paragraphs[end - 1]
        if is_boilerplate(last):
            end -= 1
            continue
        credits = parse_credit_line(last)
        if credits is None:
            break
        found.append(credits)
        end -= 1
    kept = paragraphs[:end]
    split = split_trailing_credit(kept[-1]) if kept else None
    if split is not None:
        kept[-1], credits = split
        found.append(credits)
    return _merge(reversed(found)), kept


def split_trailing_credit(paragraph: str) -> tuple[str, Credits] | None:
    """Prose and credits of a paragraph that ends in "(Reporting by ...; Editing by ...)"."""
    match = _TRAILING_PARENTHESIS.search(paragraph, max(0, len(paragraph) - MAX_CREDIT_CHARS))
    if match is None or match.start() == 0:
        return None
    credits = parse_credit_line(match["credit"])
    return (paragraph[: match.start()], credits) if credits else None


def _unwrap(paragraph: str) -> str:
    """Strip the parentheses, leading dashes, final period and line breaks around a credit line."""
    line = paragraph.replace("\n", "; ").strip()
    return line.lstrip("(-\u2013\u2014 ").rstrip(" .;)").strip()


def _parse_role_segments(line: str) -> Credits | None:
    """Parse "Reporting by A in X; Writing by B and C, Editing by D" segment by segment."""
    if _ROLE.match(line) is None:
        return None
    roles = list(_ROLE.finditer(line))
    credits = Credits()
    for role, following in zip(roles, [*roles[1:], None], strict=True):
        names = _split_names(line[role.end() : following.start() if following else len(line)])
        if names is None:
            return None
        getattr(credits, _ROLE_FIELDS[role["role"].lower()]).extend(names)
    return credits


def _split_names(text: str) -> list[str] | None:
    """Names from "A in Boston, B and C & D"; None if any part is not a person's name."""
    names: list[str] = []
    for item in _NAME_SEPARATORS.split(text.strip(" ,;.")):
        name = item.split(" in ", 1)[0].strip(" .")  # "Jim Finkle in Boston" -> "Jim Finkle"
        if not name or _is_affiliation(name):
            continue
        if not _looks_like_name(name):
            return None
        names.append(name)
    return names or None


def _is_affiliation(item: str) -> bool:
    """An outlet after a name ("Greg Toppo, USA TODAY", "X, Medill News Service"), not a person."""
    all_caps = item.isupper() and sum(c.isalpha() for c in item) > 1
    return all_caps or not _ORGANISATION_WORDS.isdisjoint(item.split())


def _looks_like_name(item: str) -> bool:
    """A few capitalised words (particles such as "de" or "al-" allowed), no digits."""
    words = item.split()
    if not 0 < len(words) <= _MAX_NAME_WORDS or _DIGIT.search(item):
        return False
    return all(_is_name_word(word) for word in words)


def _is_name_word(word: str) -> bool:
    """One word of a personal name."""
    head = word.split("-", 1)[0]
    return (word[0].isalpha() and not word[0].islower()) or head.lower() in _NAME_PARTICLES


def _merge(parts: Iterable[Credits]) -> Credits:
    """One Credits record from several credit paragraphs, in document order."""
    merged = Credits()
    for part in parts:
        merged.reporting.extend(part.reporting)
        merged.writing.extend(part.writing)
        merged.editing.extend(part.editing)
    return merged
