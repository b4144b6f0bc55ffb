"""What every agent does with a batch: run its stage, send the outcomes, ack in order.

An agent reads a batch with `noack_take`, hands the messages to
`pipeline.runner.run_stage` (one outcome per message, never an exception for
anything an article does), turns the outcomes into sends, waits until the
broker confirmed every one of them — each story's in order — and only then
acks the batch, oldest first. Nothing here looks inside an article.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import faust

from agents import delivery, metrics
from pipeline import codec
from pipeline.config import Settings
from pipeline.errors import RejectedInput
from pipeline.isolation import Executor
from pipeline.records import DeadLetter
from pipeline.runner import Outcome, dead_letter, record_bytes, run_stage
from pipeline.stages import Message

log = logging.getLogger("wirestream.relay")

Send = Callable[[], Awaitable[Any]]
KeyedSend = tuple[bytes | None, Send]
Emit = Callable[[Outcome], Awaitable[list[KeyedSend]]]


def message_of(event: Any) -> Message:
    """The parts of a Faust event the stages read."""
    msg = event.message
    headers = msg.headers or []
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    content_type = next(
        (v.decode("latin-1") if isinstance(v, bytes) else str(v) for k, v in pairs if str(k).lower() == "content-type"),
        None,
    )
    timestamp = getattr(msg, "timestamp", None)
    return Message(
        event.value,
        key=event.key,
        content_type=content_type,
        partition=msg.partition,
        offset=msg.offset,
        timestamp_ms=int(timestamp * 1000) if timestamp else None,
    )


class Relay:
    """The topics, threads and executor the agents share, and the send/ack machinery."""

    def __init__(self, app: faust.App, settings: Settings, executor: Executor) -> None:
        self.app, self.settings, self.executor = app, settings, executor
        self.topics = {
            name: app.topic(name, key_type=bytes, value_type=bytes, partitions=settings.partitions)
            for name in settings.topics.all()
        }
        self._stage_of_topic = {
            settings.topics.clean: "clean",
            settings.topics.parsed: "entities",
            settings.topics.enriched: "quotes",
            settings.topics.quotes: "quotes",
        }
        # One thread per stage hands its batch to the executor, so the event loop keeps
        # heartbeating and stages overlap (the executor decides where the work runs).
        self._threads = {
            stage: ThreadPoolExecutor(max_workers=1, thread_name_prefix=stage)
            for stage in ("clean", "entities", "quotes")
        }

    def topic(self, name: str) -> Any:
        return self.topics[name]

    async def loop(self, stage: str, stream: faust.StreamT[Any], emit: Emit) -> None:
        """The agent body: batches in, outcomes sent and confirmed, then acked in offset order."""
        batches = stream.noack_take(  # type: ignore[attr-defined]  # faust-streaming's, not in StreamT
            self.settings.batch_size, within=self.settings.batch_timeout_s
        )
        async for events in batches:
            metrics.record_batch(stage, len(events))
            messages = [message_of(e) for e in events]
            outcomes = await asyncio.get_running_loop().run_in_executor(
                self._threads[stage], run_stage, stage, messages, self.executor
            )
            sends: list[KeyedSend] = []
            for outcome in outcomes:
                sends += await self.guarded(stage, emit, outcome)
            await self.deliver(sends)
            await delivery.ack_in_order(stream, events)
            metrics.batch_done(stage)

    async def guarded(self, stage: str, emit: Emit, outcome: Outcome) -> list[KeyedSend]:
        """The outcome's sends; a bug on this side (a record that will not serialise, a metric) makes
        this message a dead letter (`internal_error`) instead of stopping the partition."""
        try:
            return await emit(outcome)
        except Exception as exc:  # noqa: BLE001 - one message's dead letter, never a stalled partition
            log.exception("%s: could not send the outcome of %s", stage, outcome.message.key)
            error = RejectedInput("internal_error", f"{type(exc).__name__}: {exc}")
            return self.dead(stage, [dead_letter(stage, outcome.message, error)], outcome.message.key)

    def forward(self, stage: str, topic: str, kind: str, *steps: str) -> Emit:
        """The emit of a middle stage: each record to `topic` under its article id, dead letters aside."""

        async def emit(outcome: Outcome) -> list[KeyedSend]:
            sends = self.dead(stage, outcome.dead, outcome.message.key)
            for record in outcome.records:
                sends.append(self.send(topic, record.article.id, record_bytes(record), kind))
                metrics.record_stage(stage, "ok", metrics.stage_seconds(record.timings, *steps))
            return sends

        return emit

    async def deliver(self, sends: Sequence[KeyedSend]) -> None:
        await delivery.send_in_key_order(sends, oversized=self._oversized_letter)

    def send(self, topic: str, key: str, value: bytes | None, kind: str) -> KeyedSend:
        """A send of `value` (None: a tombstone) under `key`, made fresh on every retry."""
        k = key.encode()
        headers = codec.headers(kind) if value is not None else []
        return k, partial(self.topics[topic].send, key=k, value=value, headers=headers)

    def dead(self, stage: str, letters: Sequence[DeadLetter], key: bytes | None) -> list[KeyedSend]:
        """Dead letters of one message, counted, keyed by article id (else the message's key)."""
        out = [self._letter(letter, (letter.id or "").encode() or key or b"") for letter in letters]
        if letters:
            metrics.record_stage(stage, "dead_letter")
        return out

    def _letter(self, letter: DeadLetter, key: bytes) -> KeyedSend:
        """The send of one dead letter under `key`, counted in the dead-letter metrics."""
        metrics.record_dead_letter(letter.stage, letter.reason, letter.error, letter.id)
        send = partial(
            self.topics[self.settings.topics.deadletter].send,
            key=key,
            value=codec.dumps(letter),
            headers=codec.headers("deadletter"),
        )
        return key, send

    def _oversized_letter(self, send: Any, exc: BaseException) -> Send:
        """A record Kafka refused for its size becomes a small dead letter (the raw article stays in raw)."""
        name, key = send.func.__self__.get_topic_name(), send.keywords.get("key") or b""
        value = send.keywords.get("value") or b""
        stage = self._stage_of_topic.get(name)
        error = (
            f"{name} record of {len(value)} bytes refused by Kafka ({type(exc).__name__}); raise "
            "WIRESTREAM_MAX_MESSAGE_BYTES and the topic's max.message.bytes, or lower WIRESTREAM_MAX_BODY_CHARS"
        )
        if stage is None:  # a dead letter too big to keep its payload: keep its stage and reason
            original = codec.loads(value)
            stage, error = original["stage"], f"{original['reason']}: payload dropped, {error}"
        letter = codec.dead_letter(stage, "output_too_large", error, b"", key.decode("utf-8", "replace") or None)
        return self._letter(letter, key)[1]

    def close(self) -> None:
        for pool in self._threads.values():
            pool.shutdown(wait=False, cancel_futures=True)
        self.executor.close()
