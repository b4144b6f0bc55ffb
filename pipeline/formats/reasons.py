"""The dead-letter reasons of decoding and validating a raw message, one stable code each.

Decode reasons mean the bytes are not a document we can read at all; validate
reasons mean the document was read but is not a text article we can enrich.
"""

from __future__ import annotations

# decode: the bytes themselves
EMPTY_MESSAGE = "empty_message"  # null value (a tombstone) or only whitespace
NOT_UTF8 = "not_utf8"  # JSON that is not UTF-8
INVALID_JSON = "invalid_json"
MALFORMED_XML = "malformed_xml"
UNSAFE_XML = "unsafe_xml"  # a DOCTYPE, entity declaration or external entity (never expanded); absurd nesting
UNKNOWN_FORMAT = "unknown_format"  # a content-type or XML root we do not read
DECODE_FAILED = "decode_failed"  # a bug in a format reader: one dead letter, not a stopped worker

# validate: a readable document that is not an article we can take
SCHEMA_INVALID = "schema_invalid"  # plain JSON against the raw schema; ninjs fields of the wrong type
NOT_TEXT_ITEM = "not_text_item"  # picture, video, audio, graphic, package, event, planning ...
NO_ITEMS = "no_items"  # a NewsML-G2 newsMessage without any item
NO_BODY = "no_body"  # a text item with no body, description or headline (and not withdrawn)
INVALID_FIELD = "invalid_field"  # id, version, pubstatus or a date the story cannot do without

DECODE_REASONS = frozenset(
    {EMPTY_MESSAGE, NOT_UTF8, INVALID_JSON, MALFORMED_XML, UNSAFE_XML, UNKNOWN_FORMAT, DECODE_FAILED}
)
VALIDATE_REASONS = frozenset({SCHEMA_INVALID, NOT_TEXT_ITEM, NO_ITEMS, NO_BODY, INVALID_FIELD})


def stage_of(reason: str) -> str:
    """Which step of stage 1 refused a message, for the dead letter's `stage` field.

    Decoding and validation have the closed sets above; anything else (empty
    body, size limit, HTML too complex, a bug in cleaning) happened while cleaning.
    """
    if reason in DECODE_REASONS:
        return "decode"
    return "validate" if reason in VALIDATE_REASONS else "clean"
