"""IPTC ninjs 1.x, 2.x and 3.x text items.

The versions differ in spelling more than in meaning: 1.x has `headline`,
`body_text`/`body_html`/`body_xhtml` and `byline`; 2.x has `headlines[]`,
`bodies[]`, `descriptions[]` and `by`; 3.x writes the same in camelCase
(`versionCreated`, `pubStatus`, `embargoedUntil`). Top-level keys are read
case-blind, so one reader serves all three. Only the fields Wirestream uses
are checked (the official schemas are not shipped): a field of the wrong type
is `schema_invalid`, naming it.
"""

from __future__ import annotations

import functools
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from pipeline.errors import RejectedInput
from pipeline.formats import bodies, reasons, story_fields
from pipeline.formats.bodies import Rendition
from pipeline.records import BodySource, RawArticle, Story

TEXT_TYPE = "text"
# Keys that only ninjs has (plain JSON articles carry `body`, which ninjs never does).
MARKERS = frozenset({"uri", "bodies", "headlines", "versioncreated", "$standard", "standard"})

_STRING = {"type": "string"}
_TEXTS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["value"],
        "properties": {"value": _STRING, "role": _STRING, "contenttype": _STRING, "contentType": _STRING},
    },
}
# What Wirestream reads, with the types every ninjs version gives them (keys lower-cased).
USED_FIELDS_SCHEMA = {
    "type": "object",
    "required": ["uri"],
    "properties": {
        "uri": {"type": "string", "minLength": 1, "maxLength": 1024},
        "type": _STRING,
        "version": {"type": ["string", "integer"]},
        "versioncreated": _STRING,
        "firstcreated": _STRING,
        "embargoed": _STRING,
        "embargoeduntil": _STRING,
        "pubstatus": _STRING,
        "urgency": {"type": ["number", "string"]},
        "headline": _STRING,
        "headlines": _TEXTS,
        "bodies": _TEXTS,
        "descriptions": _TEXTS,
        "byline": _STRING,
        "by": _STRING,
        "slugline": _STRING,
        "located": _STRING,
        "language": _STRING,
        "ednote": _STRING,
        "copyrightholder": _STRING,
        "subjects": {"type": "array", "items": {"type": "object"}},
        "subject": {"type": "array", "items": {"type": "object"}},
        "signals": {"type": "array"},
    },
    "patternProperties": {"^body_": _STRING, "^description_": _STRING},
}


def sniff(data: Any) -> bool:
    """A JSON object without `body` that has a ninjs-only key (`uri`, `bodies`, `body_*` ...)."""
    if not isinstance(data, dict) or "body" in data:
        return False
    keys = {str(k).lower() for k in data}
    return bool(keys & MARKERS) or any(k.startswith("body_") for k in keys)


def parse(data: Any) -> list[RawArticle]:
    """One article from a ninjs text item."""
    doc = {str(k).lower(): v for k, v in data.items()}
    uri = doc.get("uri") if isinstance(doc.get("uri"), str) else None
    problem = best_match(_validator().iter_errors(doc))
    if problem is not None:
        where = "/".join(str(p) for p in problem.absolute_path) or "(root)"
        raise RejectedInput(reasons.SCHEMA_INVALID, f"ninjs {where}: {problem.message}", uri)
    item_type = doc.get("type", TEXT_TYPE)
    if item_type != TEXT_TYPE:
        raise RejectedInput(reasons.NOT_TEXT_ITEM, f"ninjs item of type {item_type!r}, not text", uri)
    headline = _headline(doc)
    story = _story(doc, data, uri, headline)
    body, story.body_source = _body(doc, headline, story, uri)
    return [
        RawArticle(
            body=body,
            id=uri,
            headline=headline,
            source=story_fields.string(doc.get("copyrightholder")),
            language=story_fields.string(doc.get("language")),
            story=story,
        )
    ]


@functools.cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(USED_FIELDS_SCHEMA)


def _headline(doc: dict[str, Any]) -> str | None:
    """1.x `headline`, else the `main` entry of `headlines[]`, else its first."""
    if story_fields.string(doc.get("headline")):
        return str(doc["headline"]).strip()
    entries = doc.get("headlines") or []
    main = [h for h in entries if h.get("role") == "main"] or entries
    return next((h["value"].strip() for h in main if h["value"].strip()), None)


def _renditions(doc: dict[str, Any], listed: str, prefix: str) -> list[Rendition]:
    """`bodies[]`/`descriptions[]` (2.x, 3.x) and `body_*`/`description_*` (1.x) as renditions."""
    found = []
    for entry in doc.get(listed) or []:
        entry = {str(k).lower(): v for k, v in entry.items()}
        kind = bodies.kind_of(entry.get("contenttype"), entry.get("role"))
        if kind:
            found.append(Rendition(kind, entry["value"]))
    for key, value in doc.items():
        if key.startswith(prefix):
            kind = bodies.kind_of(None, key)  # body_xhtml, body_html, body_text ...
            if kind:
                found.append(Rendition(kind, value))
    return found


def _body(doc: dict[str, Any], headline: str | None, story: Story, uri: str | None) -> tuple[str, BodySource]:
    """The body, else the description, else (a headline-only alert) the headline; a withdrawn story may have none."""
    kinds: tuple[tuple[BodySource, str, str], ...] = (
        ("body", "bodies", "body_"),
        ("description", "descriptions", "description_"),
    )
    for source, listed, prefix in kinds:
        body = bodies.choose(_renditions(doc, listed, prefix), headline, uri)
        if body is not None:
            return body, source
    if story.withdrawn:
        return "", "none"
    if headline:
        return headline, "headline"
    raise RejectedInput(reasons.NO_BODY, "ninjs text item without body, description or headline", uri)


def _story(doc: dict[str, Any], original: dict[str, Any], uri: str | None, headline: str | None) -> Story:
    """Story identity and metadata; subjects are the provider's own dicts, untouched."""
    number, source = story_fields.version(doc.get("version"), doc.get("versioncreated"), uri)
    embargo = doc.get("embargoeduntil", doc.get("embargoed"))
    signals = [
        s if isinstance(s, str) else str(s.get("qcode") or s.get("uri") or s.get("name") or "")
        for s in doc.get("signals") or []
        if isinstance(s, (str, dict))
    ]
    subjects: list[dict[str, Any]] = next(
        (v for k, v in original.items() if str(k).lower() in ("subjects", "subject")), []
    )
    return Story(
        version=number,
        version_from=source,
        version_created=story_fields.utc_time(doc.get("versioncreated"), "versioncreated", uri),
        first_created=story_fields.utc_time(doc.get("firstcreated"), "firstcreated", uri),
        pubstatus=story_fields.pubstatus(doc.get("pubstatus"), uri),
        urgency=story_fields.urgency(doc.get("urgency")),
        slugline=story_fields.string(doc.get("slugline")),
        byline=story_fields.string(doc.get("byline")) or story_fields.string(doc.get("by")),
        located=story_fields.string(doc.get("located")),
        subjects=list(subjects),
        embargoed=story_fields.utc_time(embargo, "embargoed", uri),
        correction=story_fields.is_correction(signals, story_fields.string(doc.get("ednote")), headline),
        format="ninjs",
        format_version=_format_version(doc, original),
    )


def _format_version(doc: dict[str, Any], original: dict[str, Any]) -> str:
    """The declared standard version, else the generation the field names belong to."""
    declared = doc.get("standard") or doc.get("$standard")
    if isinstance(declared, dict) and isinstance(declared.get("version"), str):
        return str(declared["version"])
    if any(str(k) != str(k).lower() for k in original):
        return "3.x"
    return "2.x" if {"bodies", "headlines", "descriptions"} & doc.keys() else "1.x"
