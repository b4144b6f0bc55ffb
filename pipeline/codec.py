"""Bytes on the wire: orjson values, Kafka headers, content hashes and dead letters."""

from __future__ import annotations

import base64
import hashlib
import time
from datetime import UTC, datetime
from typing import Any, Literal

import orjson

from pipeline.records import DeadLetter

CONTENT_TYPE = "application/json"
SCHEMA_VERSIONS = {"raw": "2", "clean": "2", "parsed": "3", "enriched": "3", "deadletter": "1", "quote": "2"}


def dumps(obj: Any) -> bytes:
    """orjson bytes for a record dataclass or plain JSON value.

    orjson serialises dataclasses natively, to the same bytes as `to_dict`
    first, about 8x faster (it matters once per article per hop).
    """
    return orjson.dumps(obj)


def loads(data: bytes | str) -> Any:
    return orjson.loads(data)


def headers(kind: str) -> list[tuple[str, bytes]]:
    """Kafka headers every Wirestream record carries."""
    return [
        ("content-type", CONTENT_TYPE.encode()),
        ("schema", f"wirestream.{kind}".encode()),
        ("schema-version", SCHEMA_VERSIONS[kind].encode()),
    ]


def now_iso() -> str:
    return iso_from_epoch(time.time())


def iso_from_epoch(seconds: float) -> str:
    stamp = datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds")
    return stamp.replace("+00:00", "Z")


def ingest_stamp(kafka_timestamp_s: float | None) -> str:
    """When the raw message entered Kafka (its record timestamp, seconds), else now."""
    return iso_from_epoch(kafka_timestamp_s if kafka_timestamp_s and kafka_timestamp_s > 0 else time.time())


def parse_time(value: str | None) -> float | None:
    """Unix seconds of an ISO 8601 / RFC 3339 stamp (naive stamps are UTC), or None."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


def content_id(headline: str, body: str) -> str:
    """Stable id for an article published without one: same text, same id."""
    digest = hashlib.sha256(f"{headline}\n\n{body}".encode("utf-8", "surrogatepass")).hexdigest()
    return f"sha256-{digest[:16]}"


def content_hash(payload: dict[str, Any]) -> str:
    """Hash of an enriched record's content (not its timings), so consumers can drop repeats."""
    stable = {k: v for k, v in payload.items() if k != "processing"}
    return "sha256:" + hashlib.sha256(orjson.dumps(stable, option=orjson.OPT_SORT_KEYS)).hexdigest()


def dead_letter(
    stage: str, reason: str, error: str, payload: bytes | str | None, article_id: str | None = None
) -> DeadLetter:
    """A dead letter that keeps the original payload whole: text when UTF-8, else base64."""
    raw = payload if isinstance(payload, bytes) else (payload or "").encode("utf-8", "surrogatepass")
    encoding: Literal["utf-8", "base64"]
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = base64.b64encode(raw).decode("ascii"), "base64"
    return DeadLetter(
        stage=stage,
        reason=reason,
        error=error[:2000],
        payload=text,
        payload_encoding=encoding,
        failed_at=now_iso(),
        id=article_id,
    )
