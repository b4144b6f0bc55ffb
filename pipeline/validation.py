"""JSON Schema checks against the contract in `schemas/`."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import orjson
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

SCHEMA_DIR = resources.files("schemas")
SCHEMA_FILES = {
    "raw": "article.raw.schema.json",
    "enriched": "article.enriched.schema.json",
    "deadletter": "deadletter.schema.json",
    "quote": "quote.schema.json",
}


@functools.cache
def validator(kind: str) -> Draft202012Validator:
    schema = orjson.loads((SCHEMA_DIR / SCHEMA_FILES[kind]).read_bytes())
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def schema_error(kind: str, value: Any) -> str | None:
    """The most relevant violation as one readable line, or None when valid."""
    error = best_match(validator(kind).iter_errors(value))
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path) or "(root)"
    return f"{where}: {error.message}"
