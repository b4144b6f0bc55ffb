"""Reading articles from files for `publish` and `enrich`: .txt, .json, .jsonl or stdin.

Values are yielded as the bytes a wire desk would publish, so broken JSON lines
reach the pipeline (and its dead-letter path) exactly as they would over Kafka.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson

from pipeline.codec import content_id

SUFFIXES = (".txt", ".json", ".jsonl", ".ndjson")


def txt_article(text: str, name: str | None = None) -> dict[str, str]:
    """A .txt file: headline on the first line, body after it; id derived from content."""
    headline, _, body = text.lstrip("\ufeff").partition("\n")
    headline, body = headline.strip(), body.strip("\n")
    article = {"headline": headline, "body": body, "id": content_id(headline, body)}
    if name:
        article["source_file"] = name
    return article


def with_id(value: bytes) -> bytes:
    """Give a JSON article without an id its content-derived id; anything else passes untouched."""
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError:
        return value
    if isinstance(data, dict) and "id" not in data and isinstance(data.get("body"), str):
        data["id"] = content_id(data.get("headline") or "", data["body"])
        return orjson.dumps(data)
    return value


def values_from_text(text: bytes, suffix: str, name: str | None = None) -> Iterator[bytes]:
    if suffix == ".txt":
        yield orjson.dumps(txt_article(text.decode("utf-8", "replace"), name))
    elif suffix == ".json":
        yield with_id(text.strip())
    else:
        for line in text.splitlines():
            if line.strip():
                yield with_id(line.strip())


def expand(paths: Iterable[str]) -> list[Path]:
    """Files named, and the article files inside folders named, in a stable order."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.suffix in SUFFIXES and f.is_file()))
        elif p.exists():
            out.append(p)
        else:
            raise FileNotFoundError(f"no such file or folder: {p}")
    return out


def read_values(paths: Iterable[str]) -> Iterator[bytes]:
    """Message values from paths; '-' reads JSON lines from stdin."""
    for arg in paths:
        if arg == "-":
            yield from values_from_text(sys.stdin.buffer.read(), ".jsonl")
            continue
        for path in expand([arg]):
            suffix = path.suffix if path.suffix in SUFFIXES else ".txt"
            yield from values_from_text(path.read_bytes(), suffix, path.name)


def key_of(value: bytes) -> bytes | None:
    """The Kafka key for a raw value: its article id, when it has one."""
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError:
        return None
    if isinstance(data, dict) and isinstance(data.get("id"), str):
        return data["id"].encode()
    return None
