"""Bytes to a parsed document: a JSON value or an XML element tree, read safely.

XML comes from outside and is parsed with defusedxml: a DOCTYPE (and with it
any entity declaration, the billion-laughs and external-entity attacks) is
refused before anything is expanded or fetched, so the message becomes an
`unsafe_xml` dead letter instead of eating the worker's memory or reading
its files.
"""

from __future__ import annotations

from typing import Any, Literal
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import orjson
from defusedxml.ElementTree import fromstring

from pipeline.errors import RejectedInput
from pipeline.formats import reasons

Syntax = Literal["json", "xml"]
_BOM = b"\xef\xbb\xbf"
# XML 1.0 (4.3.3) has every processor read UTF-16, which starts with its byte-order mark.
_UTF16_TAG_OPENINGS = (b"\xff\xfe<\x00", b"\xfe\xff\x00<")


def syntax_of(value: bytes) -> Syntax:
    """XML when the first non-blank byte opens a tag (in UTF-8, or UTF-16 after its BOM), else JSON.

    Anything else stays JSON, so non-JSON is still `invalid_json`.
    """
    opening = value.lstrip().removeprefix(_BOM).lstrip()
    return "xml" if opening.startswith((b"<", *_UTF16_TAG_OPENINGS)) else "json"


def read_json(value: bytes) -> Any:
    """The JSON value of a message, or the reason it has none.

    A leading UTF-8 byte-order mark is skipped: RFC 8259 (8.1) lets parsers
    ignore it, and feeds written on Windows send it; the text is still UTF-8.
    """
    try:
        return orjson.loads(value.removeprefix(_BOM))
    except orjson.JSONDecodeError as exc:
        reason = reasons.NOT_UTF8 if "UTF-8" in str(exc) else reasons.INVALID_JSON
        raise RejectedInput(reason, f"cannot decode JSON: {exc}") from None


def read_xml(value: bytes | str) -> Element:
    """The root element of an XML message; DTDs and entities are refused, never expanded.

    Bytes are decoded as their XML declaration (or BOM) says; text, such as an NITF body
    carried in a JSON string, is already decoded, so its declared encoding is ignored.
    """
    try:
        root: Element = fromstring(value.lstrip(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
        return root
    except defusedxml.DefusedXmlException as exc:
        raise RejectedInput(reasons.UNSAFE_XML, f"XML refused, not expanded: {exc!r}") from None
    except (ParseError, ValueError) as exc:
        raise RejectedInput(reasons.MALFORMED_XML, f"cannot parse XML: {exc}") from None
