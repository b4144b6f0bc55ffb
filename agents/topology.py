"""The whole stream topology in one place.

    articles.raw ──[clean]──▶ articles.clean ──[entities]──▶ articles.parsed ──[quotes]──▶ articles.enriched
         │                        │  (spaCy parses here,          │
         └────────────────────────┴── once per article) ──────────┴──▶ articles.deadletter

Each agent reads one topic, calls one `pipeline.stages` stage function and
writes the next topic; anything it cannot process becomes a dead letter with a
reason. Offsets advance only after the downstream send is acknowledged by the
broker (each send is awaited before the event is acked), and every agent runs
with concurrency 1 so acks stay in offset order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import faust

from agents import delivery
from agents.web import register as register_monitoring
from pipeline import codec
from agents import metrics
from pipeline.config import Settings
from pipeline.stages import (
    ParsedArticle,
    clean_from_json,
    clean_stage,
    clean_to_json,
    entities_stage,
    quotes_stage,
    stage_of,
)
from pipeline.errors import RejectedInput
from pipeline.nlp.model import model_for


def create_app(settings: Settings) -> faust.App:
    """A Faust app wired with the three agents for the given settings."""
    app = faust.App(
        settings.app_id,
        broker=[f"kafka://{hp}" for hp in settings.bootstrap_servers.split(",")],
        broker_credentials=credentials(settings),
        value_serializer="raw",
        key_serializer="raw",
        store="memory://",
        topic_partitions=settings.partitions,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        # Delivery (docs/operations.md): a send that the broker has not acked
        # within producer_request_timeout fails and is retried by
        # agents/delivery.py; a worker that dies is noticed after
        # broker_session_timeout and its partitions go to the next member.
        processing_guarantee="at_least_once",
        producer_request_timeout=settings.send_timeout_s,
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=min(3.0, settings.session_timeout_s / 3),
        broker_commit_interval=1.0,
        producer_max_request_size=settings.max_message_bytes,
        consumer_max_fetch_size=settings.max_message_bytes,
        web_enabled=True,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        web_port=settings.web_port,
        web_in_thread=False,
    )
    delivery.harden(app)
    t = settings.topics
    topic = lambda name: app.topic(name, key_type=bytes, value_type=bytes, partitions=settings.partitions)  # noqa: E731
    raw, clean, parsed, enriched, dead = (topic(n) for n in (t.raw, t.clean, t.parsed, t.enriched, t.deadletter))
    # Each stage's blocking work runs on a thread of its own, so the event loop
    # keeps heartbeating while a batch parses; quotes need not wait behind the
    # next parse batch and run while spaCy's matrix code has released the GIL.
    threads = {name: ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
               for name in ("clean", "spacy", "quotes")}

    async def off_loop(thread: str, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(threads[thread], fn, *args)

    async def send_all(sends: Sequence[Callable[[], Awaitable[Any]]]) -> None:
        """Wait until the broker acknowledged every send of this step (retried with backoff).

        Each item makes a fresh send, so a failed one can be sent again; the
        caller acks its events only after this returns (agents/delivery.py).
        """
        await delivery.send_batch(sends, oversized=oversized_letter)

    def oversized_letter(send: Any, exc: BaseException) -> Callable[[], Awaitable[Any]]:
        """A record Kafka refused for its size becomes a small dead letter (the raw article stays in t.raw)."""
        name, key = send.func.__self__.get_topic_name(), send.keywords.get("key") or b""
        value = send.keywords.get("value") or b""
        stage = {t.clean: "clean", t.parsed: "entities", t.enriched: "quotes"}.get(name)
        if stage is None:  # a dead letter too big to keep its payload: keep its stage and reason
            original = codec.loads(value)
            stage, reason = original["stage"], original["reason"]
        size = len(value)
        error = (f"{name} record of {size} bytes refused by Kafka ({type(exc).__name__}); raise "
                 "WIRESTREAM_MAX_MESSAGE_BYTES and the topic's max.message.bytes, or lower WIRESTREAM_MAX_BODY_BYTES")
        article_id = key.decode("utf-8", "replace") or None
        if name == t.deadletter:
            error = f"{reason}: payload dropped, {error}"
        return to_dead(stage, RejectedInput("output_too_large", error, article_id), b"", key)

    def to_dead(stage: str, exc: RejectedInput, payload: bytes | None,
                key: bytes | None) -> Callable[[], Awaitable[Any]]:
        letter = codec.dead_letter(stage, exc.reason, str(exc), payload, exc.article_id)
        metrics.record_dead_letter(stage, exc.reason, str(exc), exc.article_id)
        return partial(dead.send, key=(letter.id or "").encode() or key, value=codec.dumps(letter),
                       headers=codec.headers("deadletter"))

    # Every agent reads batches with `noack_take` and acks them itself, in
    # offset order, only after all of the batch's sends are confirmed: Faust's
    # `take_events` and plain iteration ack in a `finally`, even for events an
    # exception or a shutdown left unfinished (see agents/delivery.py).
    @app.agent(raw, name="clean", concurrency=1)
    async def clean_agent(stream: faust.StreamT) -> None:
        async for events in stream.noack_take(settings.batch_size, within=settings.batch_timeout_s):
            # Cleaning a body near the size limit takes a while: off the event loop too.
            metrics.record_batch("clean", len(events))
            outcomes = await off_loop("clean", clean_batch, settings, [e.value for e in events])
            sends = []
            for event, outcome in zip(events, outcomes):
                value, key = event.value, event.key
                if isinstance(outcome, RejectedInput):
                    sends.append(to_dead(stage_of(outcome.reason), outcome, value, key))
                    continue
                article, timings = outcome
                article.ingested_at = metrics.ingest_stamp(event.message.timestamp)
                sends.append(partial(clean.send, key=article.id.encode(), value=clean_to_json(article, timings),
                                     headers=codec.headers("clean")))
                metrics.record_stage("clean", "ok", metrics.stage_seconds(timings, "clean"))
            await send_all(sends)
            await delivery.ack_in_order(stream, events)

    @app.agent(clean, name="entities", concurrency=1)
    async def entities_agent(stream: faust.StreamT) -> None:
        async for events in stream.noack_take(settings.batch_size, within=settings.batch_timeout_s):
            batch, sends = [], []
            for event in events:
                try:
                    batch.append(clean_from_json(event.value))
                except Exception as exc:
                    sends.append(to_dead("entities", RejectedInput("bad_internal_record", repr(exc)),
                                         event.value, event.key))
            metrics.record_batch("entities", len(events))
            results = await off_loop("spacy", entities_batch, settings, batch) if batch else []
            for (article, _), result in zip(batch, results):
                if isinstance(result, RejectedInput):
                    sends.append(to_dead("entities", result, clean_to_json(article, {}), article.id.encode()))
                else:
                    sends.append(partial(parsed.send, key=article.id.encode(), value=result.to_json(),
                                         headers=codec.headers("parsed")))
                    metrics.record_stage("entities", "ok", metrics.stage_seconds(result.timings, "parse", "entities"))
            await send_all(sends)
            await delivery.ack_in_order(stream, events)

    @app.agent(parsed, name="quotes", concurrency=1)
    async def quotes_agent(stream: faust.StreamT) -> None:
        async for events in stream.noack_take(settings.batch_size, within=settings.batch_timeout_s):
            metrics.record_batch("quotes", len(events))
            outcomes = await off_loop("quotes", quotes_batch, settings, [e.value for e in events])
            sends = []
            for event, outcome in zip(events, outcomes):
                if isinstance(outcome, RejectedInput):
                    sends.append(to_dead("quotes", outcome, event.value, event.key))
                else:
                    sends.append(partial(enriched.send, key=outcome.id.encode(), value=codec.dumps(outcome),
                                         headers=codec.headers("enriched")))
                    metrics.record_stage("quotes", "ok", metrics.stage_seconds(outcome.processing.timings_ms, "quotes"))
                    metrics.record_enriched(outcome)
            await send_all(sends)
            await delivery.ack_in_order(stream, events)

    register_monitoring(app, settings)  # /metrics, /dashboard, /api/state, lag timer
    app.wirestream_settings = settings  # type: ignore[attr-defined]
    return app


def each_or_rejected(fn: Callable[[Any], Any], items: list[Any], bug_reason: str) -> list[Any]:
    """`fn` over a batch, one outcome per item: its result, or the RejectedInput that becomes its
    dead letter (a bug in one article must not stop the partition)."""
    out: list[Any] = []
    for item in items:
        try:
            out.append(fn(item))
        except RejectedInput as exc:
            out.append(exc)
        except Exception as exc:
            out.append(RejectedInput(bug_reason, repr(exc)))
    return out


def clean_batch(settings: Settings, values: list[bytes | None]) -> list[Any]:
    """Stage 1 over a batch: (article, timings) per value, or its RejectedInput."""
    return each_or_rejected(lambda value: clean_stage(value, settings), values, "internal_error")


def entities_batch(settings: Settings, batch: list[Any]) -> list[Any]:
    """Stage 2 on the spaCy thread (the model loads there too, never on the event loop)."""
    return entities_stage(model_for(settings), batch, settings.batch_size)


def quotes_batch(settings: Settings, values: list[bytes]) -> list[Any]:
    """Stage 3 over a batch of parsed records: an EnrichedRecord per value, or its RejectedInput."""
    nlp = model_for(settings)
    return each_or_rejected(lambda value: quotes_stage(nlp, ParsedArticle.from_json(value)), values,
                            "bad_internal_record")


def credentials(settings: Settings) -> Any:
    """Faust credentials for SASL/TLS, or None for plaintext."""
    import ssl

    context = None
    if settings.security_protocol in ("SSL", "SASL_SSL"):
        context = ssl.create_default_context(cafile=settings.ssl_cafile)
    if settings.sasl_mechanism:
        return faust.SASLCredentials(
            username=settings.sasl_username, password=settings.sasl_password,
            mechanism=settings.sasl_mechanism, ssl_context=context,
        )
    return context
