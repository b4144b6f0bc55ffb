"""Reading articles from files for `publish` and `enrich`: .txt, .json, .jsonl, .xml, folders or stdin.

Values are yielded as the bytes a wire desk would publish, so broken documents
reach the pipeline (and its dead-letter path) exactly as they would over Kafka.
Wire documents (ninjs .json, NewsML-G2 .xml) go as they are; only plain JSON
articles without an id get their content-derived one, as before.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from pipeline import codec, formats
from pipeline.codec import content_id
from pipeline.errors import RejectedInput
from pipeline.formats import documents
from pipeline.formats.registry import JSON_TYPE

SUFFIXES = (".txt", ".json", ".jsonl", ".ndjson", ".xml")
PLAIN_JSON = "json"  # the registry's name for today's plain JSON articles


@dataclass(frozen=True, slots=True)
class Message:
    """One record for `articles.raw`: the value as it is, keyed by story id, labelled with its content-type."""

    value: bytes
    key: bytes | None
    headers: list[tuple[str, bytes]]


def txt_article(text: str, name: str | None = None) -> dict[str, str]:
    """A .txt file: headline on the first line, body after it; id derived from content."""
    headline, _, body = text.lstrip("\ufeff").partition("\n")
    headline, body = headline.strip(), body.strip("\n")
    article = {"headline": headline, "body": body, "id": content_id(headline, body)}
    if name:
        article["source_file"] = name
    return article


def with_id(value: bytes) -> bytes:
    """Give a plain JSON article without an id its content-derived id; anything else passes untouched."""
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError:
        return value
    if isinstance(data, dict) and "id" not in data and isinstance(data.get("body"), str):
        data["id"] = content_id(data.get("headline") or "", data["body"])
        return orjson.dumps(data)
    return value


def values_from_text(text: bytes, suffix: str, name: str | None = None) -> Iterator[bytes]:
    """The message values in one file's bytes, by its suffix."""
    if suffix == ".txt":
        yield orjson.dumps(txt_article(text.decode("utf-8", "replace"), name))
    elif suffix == ".xml":
        yield text
    elif suffix == ".json":
        yield with_id(text.strip())
    else:
        for line in text.splitlines():
            if line.strip():
                yield with_id(line.strip())


def stdin_values(text: bytes) -> Iterator[bytes]:
    """stdin: one XML document, one (pretty-printed) JSON document, or JSON lines."""
    if documents.syntax_of(text) == "xml":
        yield text
        return
    try:
        whole = orjson.loads(text)
    except orjson.JSONDecodeError:
        whole = None
    yield from values_from_text(text, ".json" if isinstance(whole, dict) else ".jsonl")


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
    """Message values from paths; '-' reads stdin."""
    for arg in paths:
        if arg == "-":
            yield from stdin_values(sys.stdin.buffer.read())
            continue
        for path in expand([arg]):
            suffix = path.suffix if path.suffix in SUFFIXES else ".txt"
            yield from values_from_text(path.read_bytes(), suffix, path.name)


def read_messages(paths: Iterable[str]) -> Iterator[Message]:
    """Records to publish from paths, each keyed and labelled (see `message_for`)."""
    return map(message_for, read_values(paths))


def message_for(value: bytes) -> Message:
    """A value keyed by its story id (first item's, for a newsMessage) with its format's content-type.

    A value the pipeline will refuse is still published (its dead letter is the
    point), keyed by the id the refusal names, if any.
    """
    try:
        fmt, articles = formats.read(value)
    except RejectedInput as exc:
        return Message(value, _key(exc.article_id), _content_type(_fallback_type(value)))
    key = _key(articles[0].id if articles else None)
    if fmt.name == PLAIN_JSON:
        return Message(value, key, codec.headers("raw"))
    return Message(value, key, _content_type(fmt.label))


def key_of(value: bytes) -> bytes | None:
    """The Kafka key for a raw value: its story id, when it has one."""
    return message_for(value).key


def _fallback_type(value: bytes) -> str:
    return "application/xml" if value and documents.syntax_of(value) == "xml" else JSON_TYPE


def _content_type(media_type: str) -> list[tuple[str, bytes]]:
    return [("content-type", media_type.encode())]


def _key(story_id: str | None) -> bytes | None:
    return story_id.encode() if story_id else None
