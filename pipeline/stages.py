"""The three stages as functions over records, shared by the Faust agents and `wirestream enrich`.

    bytes ──clean_stage──▶ CleanArticle ──entities_stage──▶ ParsedArticle ──quotes_stage──▶ EnrichedRecord

Each stage raises `RejectedInput` for input it cannot take; callers turn that into
a dead letter. spaCy runs once, in `entities_stage`; the parse travels on in
`ParsedArticle.doc_bytes`.
"""

from __future__ import annotations

import base64
import gc
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import orjson
from spacy.language import Language

from pipeline import __version__, codec
from pipeline.cleaning.clean import clean_article
from pipeline.config import Settings
from pipeline.entities.extract import extract_entities
from pipeline.errors import RejectedInput
from pipeline.nlp.model import doc_from_bytes, doc_to_bytes, model_for, model_label, parse
from pipeline.quotes.attribution import attribute_quotes
from pipeline.records import (
    CleanArticle,
    DeadLetter,
    EnrichedRecord,
    Entity,
    EntityCluster,
    Processing,
    RawArticle,
    from_dict,
)
from pipeline.validation import schema_error


@contextmanager
def timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = round((time.perf_counter() - start) * 1000, 3)


# ── stage 1: decode, validate, clean ─────────────────────────────────────────


def decode_raw(value: bytes | None) -> tuple[RawArticle, str]:
    """Parse and validate a raw message; return the article and its (possibly derived) id."""
    if value is None or not value.strip():
        raise RejectedInput("empty_message", "message value is empty")
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        reason = "not_utf8" if "UTF-8" in str(exc) else "invalid_json"
        raise RejectedInput(reason, f"cannot decode JSON: {exc}") from None
    article_id = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
    problem = schema_error("raw", data)
    if problem is not None:
        raise RejectedInput("schema_invalid", problem, article_id)
    known = {k: data.get(k) for k in ("body", "id", "headline", "source", "url", "published_at", "language")}
    raw = RawArticle(**known)
    return raw, raw.id or codec.content_id(raw.headline or "", raw.body)


def clean_stage(value: bytes | None, settings: Settings) -> tuple[CleanArticle, dict[str, float]]:
    timings: dict[str, float] = {}
    with timed(timings, "clean"):
        raw, article_id = decode_raw(value)
        article = clean_article(raw, article_id, max_body_chars=settings.max_body_chars)
    return article, timings


# ── stage 2: parse once, extract entities ────────────────────────────────────


@dataclass(slots=True)
class ParsedArticle:
    """What crosses `articles.parsed`: the clean article, its entities and its spaCy parse."""

    article: CleanArticle
    entities: list[Entity]
    clusters: list[EntityCluster]
    doc_bytes: bytes
    timings: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> bytes:
        return orjson.dumps({  # orjson writes the dataclasses natively, as to_dict would
            "article": self.article,
            "entities": self.entities,
            "clusters": self.clusters,
            "doc": base64.b64encode(self.doc_bytes).decode("ascii"),
            "timings_ms": self.timings,
        })

    @classmethod
    def from_json(cls, value: bytes) -> "ParsedArticle":
        data = orjson.loads(value)
        return cls(
            article=from_dict(CleanArticle, data["article"]),
            entities=[from_dict(Entity, e) for e in data["entities"]],
            clusters=[from_dict(EntityCluster, c) for c in data["clusters"]],
            doc_bytes=base64.b64decode(data["doc"]),
            timings=data.get("timings_ms", {}),
        )


def clean_to_json(article: CleanArticle, timings: dict[str, float]) -> bytes:
    return orjson.dumps({"article": article, "timings_ms": timings})


def clean_from_json(value: bytes) -> tuple[CleanArticle, dict[str, float]]:
    data = orjson.loads(value)
    return from_dict(CleanArticle, data["article"]), data.get("timings_ms", {})


def entities_stage(
    nlp: Language, batch: list[tuple[CleanArticle, dict[str, float]]], batch_size: int = 16
) -> list[ParsedArticle | RejectedInput]:
    """Parse a batch with `nlp.pipe` (the expensive part) and extract entities per article."""
    start = time.perf_counter()
    docs = list(parse(nlp, (a.body for a, _ in batch), batch_size=batch_size))
    parse_ms = (time.perf_counter() - start) * 1000 / max(len(batch), 1)
    out: list[ParsedArticle | RejectedInput] = []
    for (article, timings), doc in zip(batch, docs):
        timings = {**timings, "parse": round(parse_ms, 3)}
        try:
            with timed(timings, "entities"):
                entities, clusters = extract_entities(doc, article)
            out.append(ParsedArticle(article, entities, clusters, doc_to_bytes(doc), timings))
        except Exception as exc:  # one bad article must not sink its batch
            out.append(RejectedInput("entities_failed", f"{type(exc).__name__}: {exc}", article.id))
    return out


# ── stage 3: quotes, then the enriched record ────────────────────────────────


def quotes_stage(nlp: Language, parsed: ParsedArticle) -> EnrichedRecord:
    article, timings = parsed.article, dict(parsed.timings)
    try:
        with timed(timings, "quotes"):
            doc = doc_from_bytes(nlp, parsed.doc_bytes)
            quotes = attribute_quotes(doc, article, parsed.entities, parsed.clusters)
    except Exception as exc:
        raise RejectedInput("quotes_failed", f"{type(exc).__name__}: {exc}", article.id) from exc
    record = EnrichedRecord(
        id=article.id, headline=article.headline, body=article.body, dateline=article.dateline,
        credits=article.credits, language=article.language, flags=article.flags,
        paragraphs=article.paragraphs, entities=parsed.entities, entity_clusters=parsed.clusters,
        quotes=quotes, source=article.source, url=article.url, published_at=article.published_at,
        processing=Processing(pipeline_version=__version__, model=model_label(nlp), timings_ms=timings,
                              ingested_at=article.ingested_at),
    )
    return finalize(record)


def finalize(record: EnrichedRecord) -> EnrichedRecord:
    """Stamp the content hash and time; consumers dedupe on (id, content_hash)."""
    record.processing.content_hash = codec.content_hash(orjson.loads(codec.dumps(record)))  # = to_dict, faster
    record.processing.enriched_at = codec.now_iso()
    return record


# ── broker-less: all three stages in one process ─────────────────────────────

WARM_UP_ARTICLE = orjson.dumps({
    "id": "warm-up", "headline": "Warm-up",
    "body": "PARIS (Reuters) - \u201cIt works,\u201d said Jane Doe, a spokeswoman in Paris.",
})


def warm_up(settings: Settings) -> None:
    """Load the model, gazetteer and language detector before the first real article pays for them.

    Then `gc.freeze()`: the ~200k objects loaded so far (model, tables) live as
    long as the process, and leaving them out of every full collection cuts
    the garbage collector's share of an article from ~1.8 ms to ~0.4 ms.
    """
    for _ in enrich_values([WARM_UP_ARTICLE], settings):
        pass
    gc.collect()
    gc.freeze()



def enrich_values(values: Iterable[bytes], settings: Settings) -> Iterator[EnrichedRecord | DeadLetter]:
    """Run raw message values through the same three stages the agents run, in order."""
    nlp = model_for(settings)
    pending: list[tuple[CleanArticle, dict[str, float]]] = []
    for value in values:
        try:
            pending.append(clean_stage(value, settings))
        except RejectedInput as exc:
            yield codec.dead_letter(stage_of(exc.reason), exc.reason, str(exc), value, exc.article_id)
            continue
        if len(pending) >= settings.batch_size:
            yield from _finish(nlp, pending, settings)
            pending = []
    if pending:
        yield from _finish(nlp, pending, settings)


def _finish(nlp: Language, batch: list[tuple[CleanArticle, dict[str, float]]],
            settings: Settings) -> Iterator[EnrichedRecord | DeadLetter]:
    for (article, _), parsed in zip(batch, entities_stage(nlp, batch, settings.batch_size)):
        if isinstance(parsed, RejectedInput):
            yield codec.dead_letter("entities", parsed.reason, str(parsed), clean_to_json(article, {}), article.id)
            continue
        try:
            yield quotes_stage(nlp, parsed)
        except RejectedInput as exc:
            yield codec.dead_letter("quotes", exc.reason, str(exc), clean_to_json(article, {}), article.id)


DECODE_REASONS = frozenset({"empty_message", "invalid_json", "not_utf8"})
VALIDATE_REASONS = frozenset({"schema_invalid"})


def stage_of(reason: str) -> str:
    """Which step of stage 1 refused a message, for the dead letter's `stage` field.

    Decoding and validation have a closed set of reasons; anything else (empty body,
    size limit, HTML too complex, a bug in cleaning) happened while cleaning.
    """
    if reason in DECODE_REASONS:
        return "decode"
    return "validate" if reason in VALIDATE_REASONS else "clean"

