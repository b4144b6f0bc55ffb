"""Today's plain JSON articles: `{body, id?, headline?, ...}` checked against the raw schema.

Behaviour is unchanged for the fields that existed before; the optional story
fields (version, pubstatus, embargoed ...) fill `Story`, and a withdrawal
(`pubstatus` canceled or withheld) may come without a body.
"""

from __future__ import annotations

from typing import Any

from pipeline import codec
from pipeline.errors import RejectedInput
from pipeline.formats import reasons, story_fields
from pipeline.records import RawArticle, Story
from pipeline.validation import schema_error

ARTICLE_FIELDS = ("body", "id", "headline", "source", "url", "published_at", "language")
STORY_FIELDS = frozenset(
    {
        "version",
        "version_created",
        "first_created",
        "pubstatus",
        "urgency",
        "slugline",
        "byline",
        "located",
        "subjects",
        "embargoed",
        "correction",
    }
)


def parse(data: Any) -> list[RawArticle]:
    """One article from a plain JSON value, or `schema_invalid` with the most relevant violation."""
    given_id = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
    problem = schema_error("raw", data)
    if problem is not None:
        raise RejectedInput(reasons.SCHEMA_INVALID, problem, given_id)
    raw = RawArticle(**{k: data.get(k) for k in ARTICLE_FIELDS})
    raw.story = _story(data, given_id)
    if raw.body is None:  # a withdrawn story without a body (the schema allows no other case)
        raw.body, raw.story.body_source = "", "none"
    raw.id = given_id or codec.content_id(raw.headline or "", raw.body)
    return [raw]


def _story(data: dict[str, Any], article_id: str | None) -> Story:
    """The story fields of a plain JSON article (the schema has checked their types)."""
    if not STORY_FIELDS & data.keys():  # today's articles: nothing to read, every message pays for it
        return Story()
    number, source = story_fields.version(data.get("version"), data.get("version_created"), article_id)
    return Story(
        version=number,
        version_from=source,
        version_created=story_fields.utc_time(data.get("version_created"), "version_created", article_id),
        first_created=story_fields.utc_time(data.get("first_created"), "first_created", article_id),
        pubstatus=story_fields.pubstatus(data.get("pubstatus"), article_id),
        urgency=data.get("urgency"),
        slugline=story_fields.string(data.get("slugline")),
        byline=story_fields.string(data.get("byline")),
        located=story_fields.string(data.get("located")),
        subjects=list(data.get("subjects") or []),
        embargoed=story_fields.utc_time(data.get("embargoed"), "embargoed", article_id),
        correction=bool(data.get("correction", False)),
        format="json",
    )
