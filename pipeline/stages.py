"""The three stages as batch functions over messages, registered by name.

    Message(raw) ──clean──▶ CleanArticle ──entities──▶ ParsedArticle ──quotes──▶ EnrichedRecord

Each stage takes a batch of `Message`s and yields, in input order, one list of
outputs per message: the next topic's records, or a `RejectedInput` for what
became a dead letter. A stage may raise for a whole batch (spaCy's `nlp.pipe`
does); `pipeline.runner` then retries the batch message by message, so an
exception is only ever one article's dead letter. Stages are pure and
broker-free: the same code runs in the worker's NLP processes and in
`wirestream enrich`. spaCy parses once, in `entities`; the parse travels on in
`ParsedArticle.doc_bytes`.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from spacy.language import Language

from pipeline import __version__, codec, faults
from pipeline.cleaning import clean_article
from pipeline.config import Settings
from pipeline.entities import extract_entities, ninjs_entities
from pipeline.errors import RejectedInput
from pipeline.nlp import doc_to_bytes, model_for, model_label, parse_headlines
from pipeline.quotes import attribute_quotes, headline_quotes, parse_for_quotes
from pipeline.records import CleanArticle, EnrichedRecord, Entity, EntityCluster, Processing, RawArticle, from_dict

# One item's outputs: records for the next topic, and/or the RejectedInput of what was refused.
Outputs = list[Any]


@dataclass(slots=True)
class Message:
    """What a stage reads: a Kafka record's value and the parts of it the stages use."""

    value: bytes | None
    key: bytes | None = None
    content_type: str | None = None
    partition: int | None = None
    offset: int | None = None
    timestamp_ms: int | None = None


@dataclass(slots=True)
class CleanRecord:
    """What crosses `articles.clean`: the clean article and the time cleaning took."""

    article: CleanArticle
    timings: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> bytes:
        return orjson.dumps({"article": self.article, "timings_ms": self.timings})

    @classmethod
    def from_json(cls, value: bytes) -> CleanRecord:
        data = orjson.loads(value)
        return cls(from_dict(CleanArticle, data["article"]), data.get("timings_ms", {}))


@dataclass(slots=True)
class ParsedArticle:
    """What crosses `articles.parsed`: the clean article, its entities and its spaCy parses
    (the body's, and the headline's read as a sentence: `pipeline.nlp.headlines`)."""

    article: CleanArticle
    entities: list[Entity]
    clusters: list[EntityCluster]
    doc_bytes: bytes
    timings: dict[str, float] = field(default_factory=dict)
    headline_doc_bytes: bytes = b""  # none for records written before headlines were parsed

    def to_json(self) -> bytes:
        return orjson.dumps(
            {  # orjson writes the dataclasses natively, as to_dict would
                "article": self.article,
                "entities": self.entities,
                "clusters": self.clusters,
                "doc": base64.b64encode(self.doc_bytes).decode("ascii"),
                "headline_doc": base64.b64encode(self.headline_doc_bytes).decode("ascii"),
                "timings_ms": self.timings,
            }
        )

    @classmethod
    def from_json(cls, value: bytes) -> ParsedArticle:
        data = orjson.loads(value)
        return cls(
            article=from_dict(CleanArticle, data["article"]),
            entities=[from_dict(Entity, e) for e in data["entities"]],
            clusters=[from_dict(EntityCluster, c) for c in data["clusters"]],
            doc_bytes=base64.b64decode(data["doc"]),
            timings=data.get("timings_ms", {}),
            headline_doc_bytes=base64.b64decode(data.get("headline_doc", "")),
        )


@dataclass(slots=True)
class Withdrawal:
    """A killed story leaving the last stage: its records downstream become tombstones."""

    id: str
    article: CleanArticle


@contextmanager
def timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = round((time.perf_counter() - start) * 1000, 3)


# ── stage 1: decode, validate, clean ─────────────────────────────────────────


def clean_stage(messages: Sequence[Message], settings: Settings) -> Iterator[Outputs]:
    for message in messages:
        yield clean_message(message, settings)


def clean_message(message: Message, settings: Settings) -> Outputs:
    """A message's articles, cleaned (a NewsML-G2 message may carry several), or why not."""
    try:
        raws = decode(message)
    except RejectedInput as exc:
        return [exc]
    return [_clean_one(raw, message, settings) for raw in raws]


def decode(message: Message) -> list[RawArticle]:
    """The wire formats the message may be in (pipeline/formats), one RawArticle per story."""
    from pipeline.formats import decode as decode_formats

    return decode_formats(message.value, message.content_type)


def _clean_one(raw: RawArticle, message: Message, settings: Settings) -> CleanRecord | RejectedInput:
    timings: dict[str, float] = {}
    article_id = raw.id or codec.content_id(raw.headline or "", raw.body or "")
    try:
        with timed(timings, "clean"):
            faults.trigger("clean", raw.body or "")
            article = (
                withdrawn_article(raw, article_id)
                if raw.story.withdrawn
                else clean_article(raw, article_id, max_body_chars=settings.max_body_chars)
            )
    except RejectedInput as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - a bug dead-letters this article, not the batch
        return RejectedInput("cleaning_failed", f"{type(exc).__name__}: {exc}", article_id)
    article.raw_partition, article.raw_offset = message.partition, message.offset
    if message.timestamp_ms is not None:  # outside the stream there is no ingest time
        article.ingested_at = codec.ingest_stamp(message.timestamp_ms / 1000)
    return CleanRecord(article, timings)


def withdrawn_article(raw: RawArticle, article_id: str) -> CleanArticle:
    """A kill carries no copy to clean, only the story's identity."""
    return CleanArticle(id=article_id, headline=raw.headline or "", body="", story=raw.story)


# ── stage 2: parse once, extract entities ────────────────────────────────────


def entities_stage(messages: Sequence[Message], settings: Settings) -> Iterator[Outputs]:
    """Parse the batch with `nlp.pipe` (the expensive part), then entities per article.

    Raises for the whole batch when spaCy does; the runner then retries one by one.
    """
    nlp = model_for(settings)
    decoded: list[CleanRecord | RejectedInput] = []
    for message in messages:
        try:
            decoded.append(CleanRecord.from_json(message.value or b""))
        except Exception as exc:  # noqa: BLE001 - an unreadable record is its own dead letter
            decoded.append(RejectedInput("bad_internal_record", f"{type(exc).__name__}: {exc}"))
    live = [d.article for d in decoded if isinstance(d, CleanRecord) and not d.article.story.withdrawn]
    # nlp.pipe hands back its minibatch (the whole batch) at once: each article's share of
    # the parse is the batch's time over its articles.
    start = time.perf_counter()
    docs = iter(list(nlp.pipe((_parseable(nlp, article) for article in live), batch_size=settings.batch_size)))
    headlines = iter(list(parse_headlines(nlp, [(a.headline, a.body) for a in live], settings.batch_size)))
    parse_ms = round((time.perf_counter() - start) * 1000 / max(len(live), 1), 3)
    for item in decoded:
        if isinstance(item, RejectedInput):
            yield [item]
            continue
        article, timings = item.article, item.timings
        if article.story.withdrawn:
            yield [ParsedArticle(article, [], [], b"", timings)]
            continue
        yield [_entities_one(next(docs), next(headlines), article, {**timings, "parse": parse_ms})]


def _parseable(nlp: Language, article: CleanArticle) -> str:
    """The body, when spaCy may take it (cleaning already refused longer ones)."""
    if len(article.body) > nlp.max_length:
        raise RejectedInput(
            "body_too_large",
            f"body is {len(article.body)} characters, the model's max_length is {nlp.max_length}",
            article.id,
        )
    faults.trigger("entities", article.body)
    return article.body


def _entities_one(
    doc: Any, headline: Any, article: CleanArticle, timings: dict[str, float]
) -> ParsedArticle | RejectedInput:
    try:
        with timed(timings, "entities"):
            entities, clusters = extract_entities(doc, article)
        return ParsedArticle(article, entities, clusters, doc_to_bytes(doc), timings, doc_to_bytes(headline))
    except Exception as exc:  # noqa: BLE001 - one bad article must not sink its batch
        return RejectedInput("entities_failed", f"{type(exc).__name__}: {exc}", article.id)


# ── stage 3: quotes, then the enriched record ────────────────────────────────


def quotes_stage(messages: Sequence[Message], settings: Settings) -> Iterator[Outputs]:
    nlp = model_for(settings)
    for message in messages:
        try:
            parsed = ParsedArticle.from_json(message.value or b"")
        except Exception as exc:  # noqa: BLE001 - an unreadable record is its own dead letter
            yield [RejectedInput("bad_internal_record", f"{type(exc).__name__}: {exc}")]
            continue
        yield [quotes_one(nlp, parsed)]


def quotes_one(nlp: Language, parsed: ParsedArticle) -> EnrichedRecord | Withdrawal | RejectedInput:
    article, timings = parsed.article, dict(parsed.timings)
    if article.story.withdrawn:
        return Withdrawal(article.id, article)
    try:
        with timed(timings, "quotes"):
            faults.trigger("quotes", article.body)
            doc = parse_for_quotes(nlp, parsed.doc_bytes)
            quotes = attribute_quotes(doc, article, parsed.entities, parsed.clusters)
            headline_doc = parse_for_quotes(nlp, parsed.headline_doc_bytes) if parsed.headline_doc_bytes else None
            in_headline = headline_quotes(headline_doc, article, parsed.clusters, quotes) if headline_doc else []
    except Exception as exc:  # noqa: BLE001 - a bug in attribution dead-letters this article
        return RejectedInput("quotes_failed", f"{type(exc).__name__}: {exc}", article.id)
    return enriched_record(parsed, quotes, timings, model_label(nlp), in_headline)


def enriched_record(
    parsed: ParsedArticle,
    quotes: list[Any],
    timings: dict[str, float],
    model: str,
    in_headline: list[Any] | None = None,
) -> EnrichedRecord:
    """The record consumers read, stamped with its content hash (they dedupe on (id, content_hash))."""
    article = parsed.article
    record = EnrichedRecord(
        id=article.id,
        headline=article.headline,
        body=article.body,
        dateline=article.dateline,
        credits=article.credits,
        language=article.language,
        flags=article.flags,
        paragraphs=article.paragraphs,
        entities=parsed.entities,
        entity_clusters=parsed.clusters,
        quotes=quotes,
        headline_quotes=in_headline or [],
        source=article.source,
        url=article.url,
        published_at=article.published_at,
        story=article.story,
        **ninjs_entities(parsed.clusters),
        processing=Processing(
            pipeline_version=__version__,
            model=model,
            timings_ms=timings,
            ingested_at=article.ingested_at,
            raw_partition=article.raw_partition,
            raw_offset=article.raw_offset,
        ),
    )
    record.processing.content_hash = codec.content_hash(orjson.loads(codec.dumps(record)))  # = to_dict, faster
    record.processing.enriched_at = codec.now_iso()
    return record


# ── the registry ─────────────────────────────────────────────────────────────


@dataclass(frozen=True, slots=True)
class Stage:
    """A stage by name: its batch function and the reason a bug in it is dead-lettered under."""

    name: str
    run: Callable[[Sequence[Message], Settings], Iterator[Outputs]]
    failed_reason: str


STAGES: dict[str, Stage] = {
    "clean": Stage("clean", clean_stage, "cleaning_failed"),
    "entities": Stage("entities", entities_stage, "entities_failed"),
    "quotes": Stage("quotes", quotes_stage, "quotes_failed"),
}
