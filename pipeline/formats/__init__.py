"""Wire formats in: raw message bytes to `RawArticle`s, whatever the agency sends.

    decode(value, content_type) -> [RawArticle, ...]

Plain JSON (`{body, id?, headline?, ...}`), IPTC ninjs 1.x/2.x/3.x and
NewsML-G2 newsItem/newsMessage documents are read (docs/wire-formats.md);
anything else raises `RejectedInput` with a reason from DECODE_REASONS or
VALIDATE_REASONS, so its dead letter says which step refused it.
"""

from __future__ import annotations

from typing import Any

from pipeline.errors import RejectedInput
from pipeline.formats import documents, reasons, registry
from pipeline.formats.reasons import (
    DECODE_REASONS,
    EMPTY_MESSAGE,
    UNKNOWN_FORMAT,
    VALIDATE_REASONS,
    stage_of,
)
from pipeline.formats.registry import REGISTRY, Format
from pipeline.records import RawArticle

__all__ = ["DECODE_REASONS", "REGISTRY", "VALIDATE_REASONS", "Format", "decode", "read", "stage_of"]


def decode(value: bytes | None, content_type: str | None = None) -> list[RawArticle]:
    """Every article in a raw message (one, or one per text item of a newsMessage).

    The format is the one `content_type` names, else sniffed. Each article has
    its `id` (ninjs uri, NewsML-G2 guid, or plain JSON's id/derived id) and its
    `story`; its body is empty only when the story is withdrawn (canceled, withheld).
    """
    return read(value, content_type)[1]


def read(value: bytes | None, content_type: str | None = None) -> tuple[Format, list[RawArticle]]:
    """The message's format (from its content type, else sniffed) and its articles."""
    fmt, document = _parsed(value, content_type)
    try:
        return fmt, fmt.parse(document)
    except RejectedInput:
        raise
    except RecursionError:  # XML nested thousands deep: expat reads it, walking it would not end well
        raise RejectedInput(reasons.UNSAFE_XML, f"{fmt.name} document nested too deeply") from None
    except Exception as exc:  # a reader bug must dead-letter one message, not stop the worker
        raise RejectedInput(reasons.DECODE_FAILED, f"{fmt.name}: {type(exc).__name__}: {exc}") from exc


def _parsed(value: bytes | None, content_type: str | None) -> tuple[Format, Any]:
    """The message's format and its parsed document (parsed once: this runs for every message)."""
    if value is None or not value.strip():
        raise RejectedInput(EMPTY_MESSAGE, "message value is empty")
    syntax, named = registry.declared(content_type)
    syntax = syntax or documents.syntax_of(value)
    document = documents.read_json(value) if syntax == "json" else documents.read_xml(value)
    if named is None:
        return registry.sniffed(syntax, document), document
    if named.syntax == "xml" and not named.sniff(document):
        raise RejectedInput(UNKNOWN_FORMAT, f"content-type names {named.name}, the document is not one")
    return named, document
