"""The one orchestration: the worker's agents and `wirestream enrich` both run stages through here.

`run_stage` takes a batch of messages and returns exactly one `Outcome` per
message, in input order, whatever the stage does: the records for the next
topic, or dead letters with their reasons. Where the work runs (this process
or supervised child processes) is the executor's business
(pipeline/isolation.py); the agents only move bytes and acks. `enrich` chains
the three stages over the same messages and serialised records the topics
carry, so what the fuzz tests cover is what production runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from pipeline import codec
from pipeline.config import Settings
from pipeline.errors import RejectedInput
from pipeline.isolation import Executor, InProcess, freeze_heap
from pipeline.records import DeadLetter
from pipeline.stages import CleanRecord, Message, ParsedArticle, Withdrawal

STAGE_ORDER = ("clean", "entities", "quotes")


@dataclass(slots=True)
class Outcome:
    """What became of one message in one stage: records that go on, and/or dead letters; never neither."""

    message: Message
    records: list[Any] = field(default_factory=list)
    dead: list[DeadLetter] = field(default_factory=list)


def run_stage(stage: str, messages: Sequence[Message], executor: Executor) -> list[Outcome]:
    """One outcome per message, in order. Raises only `PoolBroken`, when no article could run at all."""
    results = executor.map(stage, messages)
    if len(results) != len(messages):  # an executor bug must not drop or shift articles
        raise AssertionError(f"{stage}: {len(results)} results for {len(messages)} messages")
    return [_outcome(stage, message, outputs) for message, outputs in zip(messages, results)]


def _outcome(stage: str, message: Message, outputs: list[Any]) -> Outcome:
    outcome = Outcome(message)
    for item in outputs:
        if isinstance(item, RejectedInput):
            outcome.dead.append(dead_letter(stage, message, item))
        else:
            outcome.records.append(item)
    if not outcome.records and not outcome.dead:
        outcome.dead.append(dead_letter(stage, message, RejectedInput("no_output", f"{stage} produced nothing")))
    return outcome


def dead_letter(stage: str, message: Message, exc: RejectedInput) -> DeadLetter:
    """A dead letter keeping the message as it entered the failing stage."""
    article_id = exc.article_id or (message.key.decode("utf-8", "replace") if message.key else None)
    return codec.dead_letter(step_of(stage, exc.reason), exc.reason, str(exc), message.value, article_id)


def step_of(stage: str, reason: str) -> str:
    """The dead letter's `stage`: which step of stage 1 refused (decode, validate, clean), else the stage."""
    if stage != "clean":
        return stage
    from pipeline.formats.reasons import stage_of

    return stage_of(reason)


def record_bytes(record: Any) -> bytes:
    """A stage record as the bytes its topic carries."""
    if isinstance(record, (CleanRecord, ParsedArticle)):
        return record.to_json()
    return codec.dumps(record)


def next_message(record: Any, before: Message) -> Message:
    """The message the next stage reads for `record`: keyed by article id, at the same raw position."""
    article = record.article
    return Message(
        record_bytes(record),
        key=article.id.encode(),
        partition=before.partition,
        offset=before.offset,
        timestamp_ms=before.timestamp_ms,
    )


# ── broker-less: all three stages in one go ──────────────────────────────────


def enrich(
    values: Iterable[bytes | Message], settings: Settings | None = None, executor: Executor | None = None
) -> Iterator[Any]:
    """Raw message values through the three stages, in order: EnrichedRecord, Withdrawal or DeadLetter.

    With no executor the stages run in this process (no time budget);
    `wirestream enrich` passes the worker's ProcessPool.
    """
    settings = settings or Settings()
    executor = executor or InProcess(settings)
    batch: list[Message] = []
    for value in values:
        batch.append(value if isinstance(value, Message) else Message(value))
        if len(batch) >= settings.batch_size:
            yield from _chain(batch, executor)
            batch = []
    if batch:
        yield from _chain(batch, executor)


def _chain(messages: list[Message], executor: Executor) -> Iterator[Any]:
    """Each message's results in input order, carried stage to stage as the topics carry them."""
    pending: list[list[Any]] = [[message] for message in messages]  # per input: its messages or finals
    for stage in STAGE_ORDER:
        flat = [m for items in pending for m in items if isinstance(m, Message)]
        outcomes = iter(run_stage(stage, flat, executor))
        last = stage == STAGE_ORDER[-1]
        for i, items in enumerate(pending):
            nxt: list[Any] = []
            for item in items:
                if not isinstance(item, Message):
                    nxt.append(item)
                    continue
                outcome = next(outcomes)
                nxt.extend(outcome.dead)
                nxt.extend(outcome.records if last else (next_message(r, item) for r in outcome.records))
            pending[i] = nxt
    for items in pending:
        yield from items


# ── warm-up ──────────────────────────────────────────────────────────────────

WARM_UP_ARTICLE = orjson.dumps(
    {
        "id": "warm-up",
        "headline": "Warm-up",
        "body": "PARIS (Reuters) - \u201cIt works,\u201d said Jane Doe, a spokeswoman in Paris.",
    }
)


def warm_up(settings: Settings) -> None:
    """Load the model, gazetteer and language detector before the first real article pays for them."""
    for _ in enrich([WARM_UP_ARTICLE], settings):
        pass
    freeze_heap()


__all__ = ["Outcome", "Message", "Withdrawal", "enrich", "run_stage", "step_of", "warm_up"]
