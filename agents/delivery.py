"""At-least-once with no loss: the delivery rules the Faust defaults do not give us.

Faust commits, for each partition, the highest offset below which every
message has been acked. Loss therefore only happens if a message is acked
before its output is safely in Kafka, or if the commit logic skips a message
that was never acked. This module closes the known holes of faust-streaming
0.15.x:

* `Stream.take_events` (and plain iteration) ack events in a `finally` block,
  so an agent that raises, or is cancelled on shutdown mid-batch, acks events
  it never finished. The agents use `stream.noack_take` instead and ack each
  batch themselves (`ack_in_order`) only after every send of the batch was
  acknowledged by the broker.
* `Consumer._new_offset` guards against a gap at the head of the acked list
  with `min(acked) - committed > 1`: one unacked message right at the
  committed offset is skipped (faust-streaming#606 territory once acks arrive
  out of order), and the guard is skipped entirely while the group has no
  committed offset (Faust stores that, and a committed 0, as None).
  `HardenedConsumer` refuses to commit while the message at the committed
  offset, or at the partition's first offset when none is committed, is unacked.
* Faust throws away records it already took from aiokafka when the flow stops,
  a partition is paused or the generation changes mid-fetch (and streams skip
  records of an old generation), trusting "seek to the committed offset" to
  fetch them again. aiokafka's `seek_to_committed` leaves a partition without
  a committed offset where it is, past the dropped records: the partition then
  stood still with lag until the next rebalance, and once newer records were
  processed their commit jumped over the dropped ones (a chaos run: a worker
  SIGKILLed before its first commit on articles.clean p1, the peer that took
  the partition over never saw offsets 0-9, 10 articles lost; the CI failure
  was the same stall, 31 s). `HardenedConsumer` seeks such partitions to their
  first offset, and when the message at the resume offset is neither acked
  nor in flight while later ones were acked (dropped after fetching), it
  fetches the partition again from there (`dropped_from`).
* A stream acks messages it skips because they belong to an older consumer
  generation or arrive while a rebalance suspends the flow; such an ack could
  let the commit move past an offset that is fetched again but not yet
  processed. `HardenedConsumer` ignores acks from stale generations and
  during rebalances: those messages are fetched and processed again (a
  duplicate, never a loss).
* The consumer drops a fetched message below the partition's "read offset"
  and commits over offsets above it as a gap; a message fetched before a
  rebalance moves that read offset after the rebalance reset it, so the
  re-fetched offsets are dropped or committed over unprocessed (8 articles
  lost in one `make chaos` run). `HardenedConsumer` delivers every fetched
  message and never records a gap (`DeliverEverything`): our input topics
  have none, and a redelivery is a duplicate at worst.
* Sends are retried with capped exponential backoff on retriable Kafka errors
  (`send_confirmed`, for SEND_RETRY_WINDOW_S: a broker stall outlasts a count of
  attempts), one key at a time (`send_in_key_order`), so a retry never
  overtakes a later record of the same story; when the window runs out the process exits with
  `EXIT_DELIVERY_FAILED` without acking, so nothing half-done is committed and
  the supervisor in `agents/worker.py` restarts it from the committed offsets.

Processing guarantee stays "at_least_once": Faust's "exactly_once" mode is
known to duplicate or drop around rebalances (faust-streaming#323, #517).
Duplicates are made harmless downstream instead: every output record is keyed
by article id and carries `processing.content_hash`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

from faust.transport.drivers.aiokafka import Consumer as AIOKafkaConsumer
from faust.transport.drivers.aiokafka import Producer as AIOKafkaProducer
from faust.types import TP, EventT, Message, StreamT

log = logging.getLogger("wirestream.delivery")

EXIT_DELIVERY_FAILED = 75  # EX_TEMPFAIL: the supervisor restarts the worker
# Retriable send failures are retried for this long (a broker restart, a leader move, a
# stall of the broker's JVM) before the worker gives up and restarts from its commits.
SEND_RETRY_WINDOW_S = 120.0
SEND_BACKOFF_FLOOR_S = 0.2
SEND_BACKOFF_S = 0.5
SEND_BACKOFF_CAP_S = 20.0
REFETCH_RETRY_S = 10.0  # a partition whose dropped records were sought back and still did not come


class DeliverEverything(dict[Any, Any]):
    """Faust's per-partition read offsets, made to never hold a message back.

    faust-streaming drops a fetched message whose offset is below the partition's
    read offset, and treats a jump above it as a gap to commit over. Both assume
    the read offset is the stream's true position; but it is set after each
    delivery, also for a message fetched before a rebalance reset it, which then
    drops the re-fetched offsets below (a stall) or marks them as a gap (a loss:
    seen in `make chaos` as 8 articles committed past, never processed). Our
    input topics have no gaps (not compacted, not transactional), and a
    redelivered message is a duplicate at worst, so every lookup answers None:
    deliver, never skip.
    """

    def __getitem__(self, key: Any) -> None:
        return None


class HardenedConsumer(AIOKafkaConsumer):
    """The aiokafka consumer with the commit-safety fixes described above."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_offset = DeliverEverything()

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        """Never commit over offsets as a gap: in these topics a missing offset is an unprocessed one."""
        log.warning("not treating offsets %d-%d of %s as a gap: they will be processed", offset_from, offset_to, tp)

    def ack(self, message: Message) -> bool:
        if message.generation_id != self.app.consumer_generation_id or not self.app.flow_control.is_active():
            # Fetched before the last rebalance, or acked while one is under
            # way (streams then skip *and ack* what they were handed): the
            # message is fetched again from the committed offset, so recording
            # this ack could only let a commit skip it. Refusing costs a
            # duplicate at most.
            message.acked = True
            self._unacked_messages.discard(message)
            return False
        return super().ack(message)

    async def seek_to_committed(self) -> Mapping[TP, int]:
        """Seek to the committed offsets, and a partition of ours without one to its first offset.

        Faust calls this after every rebalance, and to fetch again what it dropped after
        fetching; aiokafka seeks only partitions with a committed offset above 0 and leaves the
        others past whatever was dropped. With no commit the group starts at the first offset
        (consumer_auto_offset_reset="earliest"); that offset also guards the first commit.
        """
        committed = await super().seek_to_committed()
        acking = self.app.topics.acks_enabled_for  # our input topics (changelogs: Faust's recovery seeks them)
        fresh = [tp for tp, offset in committed.items() if (offset is None or offset <= 0) and acking(tp.topic)]
        if fresh and self.app.conf.consumer_auto_offset_reset == "earliest":
            earliest = await self.earliest_offsets(*fresh)
            starts = {tp: max(earliest.get(tp) or 0, 0) for tp in fresh}
            await self.seek_wait(starts)
            self.__dict__.setdefault("_origins", {}).update(starts)
        return committed

    def _new_offset(self, tp: TP) -> int | None:
        acked = self._acked[tp]
        resume = self._committed_offset[tp]
        if resume is None:  # no commit yet (or a committed 0): the first offset, where the group starts
            resume = self.__dict__.get("_origins", {}).get(tp)
        if acked and resume is not None and not self._gap.get(tp) and min(acked) > resume:
            in_flight = [m.offset for m in list(self._unacked_messages) if m.tp == tp and not m.acked]
            start = dropped_from(resume, acked, in_flight)
            if start is not None:
                self._fetch_again(tp, start, min(acked))
            return None  # the message at the committed (or resume) offset is not acked yet
        return super()._new_offset(tp)

    def _fetch_again(self, tp: TP, offset: int, first_acked: int) -> None:
        """Seek `tp` back to `offset` (at most once per REFETCH_RETRY_S for the same offset)."""
        now = time.monotonic()
        refetched = self.__dict__.setdefault("_refetched", {})
        last = refetched.get(tp)
        if last is not None and last[0] == offset and now - last[1] < REFETCH_RETRY_S:
            return
        refetched[tp] = (offset, now)
        log.warning(
            "%s: offsets %d-%d were fetched but never reached the agent (later ones are acked); fetching again",
            tp,
            offset,
            first_acked - 1,
        )
        task = asyncio.ensure_future(self._seek_logged(tp, offset))
        pending = self.__dict__.setdefault("_refetches", set())
        pending.add(task)
        task.add_done_callback(pending.discard)

    async def _seek_logged(self, tp: TP, offset: int) -> None:
        try:
            await self.seek_wait({tp: offset})
        except Exception as exc:  # noqa: BLE001 - a rebalance took the partition: its new owner starts from the commit
            log.warning("could not seek %s back to %d (%s: %s)", tp, offset, type(exc).__name__, exc)


def dropped_from(resume: int, acked: Sequence[int], in_flight: Iterable[int]) -> int | None:
    """Where to fetch a partition again when Faust dropped records after fetching them, else None.

    `resume` is the offset the next commit must cover first (the committed
    offset, or the partition's first offset without one), `acked` the offsets
    acked since, `in_flight` those handed to the streams and not acked yet.
    Records reach the agent in offset order, so when a later offset is acked
    while nothing from `resume` up to it is acked or in flight, the records in
    between were dropped and only a seek brings them back.
    """
    if not acked or min(acked) <= resume:
        return None
    first_acked = min(acked)
    if any(resume <= offset < first_acked for offset in in_flight):
        return None  # still being worked on: the commit just waits
    return resume


class IdempotentProducer(AIOKafkaProducer):
    """aiokafka producer with idempotence on, so its own retries never write a record twice."""

    def _settings_extra(self) -> Any:
        return {**super()._settings_extra(), "enable_idempotence": True, "acks": "all"}


def harden(app: Any) -> None:
    """Install the hardened consumer and idempotent producer on a Faust app (before it starts)."""
    app.transport.Consumer = HardenedConsumer
    app.transport.Producer = IdempotentProducer  # App._new_producer uses app.transport
    app.producer_transport.Producer = IdempotentProducer


def retriable(exc: BaseException) -> bool:
    """Kafka errors that a later attempt can get past (broker restarting, leader moving, timeouts).

    Faust wraps the producer's error in its own ProducerSendError; the cause decides.
    """
    from aiokafka import errors
    from faust.exceptions import ProducerSendError

    if isinstance(exc, ProducerSendError) and exc.__cause__ is not None:
        return retriable(exc.__cause__)
    if isinstance(
        exc,
        (
            errors.KafkaTimeoutError,
            errors.KafkaConnectionError,
            errors.NodeNotReadyError,
            errors.RequestTimedOutError,
            errors.NotLeaderForPartitionError,
            errors.LeaderNotAvailableError,
            asyncio.TimeoutError,
        ),
    ):
        return True
    return bool(getattr(exc, "retriable", False))


def backoff(attempt: int, base: float = SEND_BACKOFF_S, cap: float = SEND_BACKOFF_CAP_S) -> float:
    """Capped exponential backoff with full jitter (attempt 0 → up to `base` seconds)."""
    return random.uniform(0, min(cap, base * 2**attempt))


async def send_confirmed(
    send: Callable[[], Awaitable[Any]], what: str = "record", window_s: float = SEND_RETRY_WINDOW_S
) -> Any:
    """Send and wait for the broker's acknowledgement, retrying retriable failures for `window_s`.

    `send` makes a fresh send each call (e.g. `lambda: topic.send(...)`) and
    returns Faust's pending future; the result is the broker's record metadata.
    A retried send may reach Kafka twice (at-least-once); consumers dedupe.
    The window is time, not a count: a stalled broker fails some sends at once
    and others after the send timeout, so a count would run out in seconds.
    """
    deadline = time.monotonic() + window_s
    attempt = 0
    while True:
        try:
            pending = await send()
            return await pending
        except Exception as exc:
            delay = max(SEND_BACKOFF_FLOOR_S, backoff(attempt))
            if not retriable(exc) or time.monotonic() + delay > deadline:
                raise
            attempt += 1
            log.warning("send of %s failed (%s: %s); retry %d in %.1fs", what, type(exc).__name__, exc, attempt, delay)
            await asyncio.sleep(delay)


def too_large(exc: BaseException) -> bool:
    """Kafka refused the record for its size: retrying or restarting would fail the same way."""
    from aiokafka import errors

    return isinstance(exc, errors.MessageSizeTooLargeError) or type(exc).__name__ in (
        "RecordTooLargeError",
        "RecordListTooLargeError",
    )


Send = Callable[[], Awaitable[Any]]


async def send_in_key_order(
    sends: Sequence[tuple[bytes | None, Send]], oversized: Callable[[Send, BaseException], Send] | None = None
) -> None:
    """All sends of one batch confirmed, each key's in the order given; on a permanent failure, exit unacked.

    Records of one key go one at a time: the next is sent only after the broker
    acknowledged the previous one, so a retried send can never land after a
    later version of the same story (distinct keys still go out together).
    A record Kafka refuses as too large would fail again after every restart
    (a poison pill), so `oversized` turns it into a replacement send, normally
    a dead letter with reason `output_too_large`.
    """

    async def one(fn: Send) -> Any:
        try:
            return await send_confirmed(fn, _describe(fn))
        except Exception as exc:
            if oversized is None or not too_large(exc):
                raise
            log.error("%s refused as too large (%s); dead-lettering it instead", _describe(fn), exc)
            return await send_confirmed(oversized(fn, exc), "oversized record's dead letter")

    async def in_order(chain: list[Send]) -> None:
        for fn in chain:
            await one(fn)

    chains: dict[bytes | None, list[Send]] = {}
    for key, fn in sends:
        chains.setdefault(key, []).append(fn)
    try:
        await asyncio.gather(*(in_order(chain) for chain in chains.values()))
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure left after retries: exit unacked
        fail_stop(exc)


def _describe(send: Callable[[], Awaitable[Any]]) -> str:
    """'<topic> key=<key>' for a functools.partial of Topic.send, for log lines."""
    owner = getattr(getattr(send, "func", None), "__self__", None)
    key = getattr(send, "keywords", {}).get("key")
    return f"{getattr(owner, 'topics', ['record'])[0]} key={key!r}"


def fail_stop(exc: BaseException) -> None:
    """Exit now, acking nothing: the batch stays uncommitted and is redone after the restart."""
    log.critical(
        "giving up on a send (%s: %s; retriable errors are retried for %.0fs); exiting with %d so "
        "the supervisor restarts the worker from the committed offsets",
        type(exc).__name__,
        exc,
        SEND_RETRY_WINDOW_S,
        EXIT_DELIVERY_FAILED,
    )
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stderr.flush()
    os._exit(EXIT_DELIVERY_FAILED)


async def ack_in_order(stream: StreamT[Any], events: Iterable[EventT[Any]]) -> None:
    """Ack a processed batch, oldest first, so acks per partition arrive in offset order."""
    for event in sorted(events, key=lambda e: (e.message.partition, e.message.offset)):
        await stream.ack(event)
