"""The formats `articles.raw` accepts: how each is recognised and read.

A record's `content-type` header names its format when it is one of the media
types below; a generic type (application/json, application/xml) or no header
leaves the choice to sniffing, in registry order, among the formats of that
syntax. Adding a format is adding an entry here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline.errors import RejectedInput
from pipeline.formats import newsml_g2, ninjs, plain_json, reasons
from pipeline.formats.documents import Syntax
from pipeline.records import RawArticle

NEWSITEM_TYPE = "application/vnd.iptc.g2.newsitem+xml"  # registered with IANA by IPTC
NEWSMESSAGE_TYPE = "application/vnd.iptc.g2.newsmessage+xml"  # registered with IANA by IPTC
PACKAGEITEM_TYPE = "application/vnd.iptc.g2.packageitem+xml"  # registered with IANA; read to be refused as not text
NINJS_TYPE = "application/ninjs+json"  # not registered; ninjs is usually sent as application/json
JSON_TYPE = "application/json"
XML_TYPES = frozenset({"application/xml", "text/xml"})


@dataclass(frozen=True, slots=True)
class Format:
    """One accepted format: its name, syntax, media types, and how to recognise and read it.

    `label` is the content-type `wirestream publish` sends it with: the first
    media type, except for ninjs, which has no registered one.
    """

    name: str
    syntax: Syntax
    media_types: frozenset[str]
    label: str
    sniff: Callable[[Any], bool]
    parse: Callable[[Any], list[RawArticle]]


def _always(_: Any) -> bool:
    return True


# Sniffing order matters: plain JSON is the fallback of its syntax, so that JSON which is no
# article at all is still `schema_invalid` as before.
REGISTRY: tuple[Format, ...] = (
    Format("ninjs", "json", frozenset({NINJS_TYPE}), JSON_TYPE, ninjs.sniff, ninjs.parse),
    Format("json", "json", frozenset({JSON_TYPE}), JSON_TYPE, _always, plain_json.parse),
    Format(
        "newsml-g2-item",
        "xml",
        frozenset({NEWSITEM_TYPE, PACKAGEITEM_TYPE}),
        NEWSITEM_TYPE,
        newsml_g2.is_item,
        newsml_g2.parse_item,
    ),
    Format(
        "newsml-g2-message",
        "xml",
        frozenset({NEWSMESSAGE_TYPE}),
        NEWSMESSAGE_TYPE,
        newsml_g2.is_message,
        newsml_g2.parse_message,
    ),
)
_GENERIC: dict[str, Syntax] = {JSON_TYPE: "json", **{t: "xml" for t in XML_TYPES}}


def media_type(content_type: str | None) -> str | None:
    """`Application/JSON; charset=utf-8` -> `application/json`; None for no header."""
    if content_type is None or not content_type.strip():
        return None
    return content_type.split(";")[0].strip().lower()


def declared(content_type: str | None) -> tuple[Syntax | None, Format | None]:
    """The syntax and, for a specific media type, the format a content-type names."""
    media = media_type(content_type)
    if media is None:
        return None, None
    specific = next((f for f in REGISTRY if media in f.media_types and media not in _GENERIC), None)
    if specific is not None:
        return specific.syntax, specific
    if media in _GENERIC:
        return _GENERIC[media], None
    raise RejectedInput(reasons.UNKNOWN_FORMAT, f"content-type {content_type!r} is not a format Wirestream reads")


def sniffed(syntax: Syntax, document: Any) -> Format:
    """The first format of this syntax that recognises the document."""
    found = next((f for f in REGISTRY if f.syntax == syntax and f.sniff(document)), None)
    if found is None:
        raise RejectedInput(reasons.UNKNOWN_FORMAT, f"{_describe(document)} is not a format Wirestream reads")
    return found


def _describe(document: Any) -> str:
    tag = getattr(document, "tag", None)
    return f"XML root <{tag}>" if isinstance(tag, str) else "the document"
