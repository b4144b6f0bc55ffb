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
  the partition over never saw offsets 0-9, 10 articles lost). `HardenedConsumer`
  seeks such partitions to their first offset. And a drop that happens after
  the rebalance's seek (a fetch begun before it returning afterwards) leaves
  the partition's position past records nobody holds: with no later record
  acked, nothing ever asked for them again and the partition stood still with
  lag until the next rebalance (the CI failure: articles.raw p1 stuck 191 s
  after a worker joined, freed by a broker restart). `HardenedConsumer` keeps a
  weak reference to every message it hands out, and its livelock check
  (every 2.5 commit intervals) fetches a partition again from the first
  offset below its fetch position that is neither acked nor waiting anywhere,
  once two checks in a row agree (`stranded_from`). A message a stream
  skipped (stale, or during a rebalance) counts as gone although Faust's
  stream iterator keeps referring to the last message it took until the next
  one comes: counted as held, a partition whose last record was skipped stood
  still after a restart (`_waiting`).
* Faust hands aiokafka its live set of active partitions for each fetch, and
  aiokafka reads an *empty* set as "every partition". A rebalance pauses every
  partition, so a fetch begun before it and still waiting when it empties the
  set drained every partition's buffered records, the table changelogs'
  included, and Faust then threw them away (flow stopped, or partition
  paused). When that happened just after table recovery had sought a
  changelog to where it starts reading, recovery waited for records that
  aiokafka had already handed over: a CI run's survivor recovered nothing for
  three minutes after its peer was SIGKILLed, until the next rebalance.
  `HardenedConsumer` fetches through `LivePartitions`, never empty to
  aiokafka, and seeks a changelog partition back to the first record Faust
  dropped after fetching it (`_rewind_dropped`; never forward past a newer
  seek). A changelog record read twice is skipped by recovery's offset check.
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
import collections
import logging
import os
import random
import sys
import time
import weakref
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Container, Iterable, Iterator, Mapping, Sequence, Set
from typing import Any, cast

from faust.transport.consumer import RecordMap
from faust.transport.drivers.aiokafka import Consumer as AIOKafkaConsumer
from faust.transport.drivers.aiokafka import Producer as AIOKafkaProducer
from faust.types import TP, EventT, Message, StreamT

from pipeline import faults

log = logging.getLogger("wirestream.delivery")

EXIT_DELIVERY_FAILED = 75  # EX_TEMPFAIL: the supervisor restarts the worker
# Retriable send failures are retried for this long (a broker restart, a leader move, a
# stall of the broker's JVM) before the worker gives up and restarts from its commits.
SEND_RETRY_WINDOW_S = 120.0
SEND_BACKOFF_FLOOR_S = 0.2
SEND_BACKOFF_S = 0.5
SEND_BACKOFF_CAP_S = 20.0


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


class LivePartitions(Set[TP]):
    """Faust's live set of active partitions, as the filter of one fetch, never read as "all".

    aiokafka's `fetched_records` skips a partition not in its filter only when the
    filter is non-empty; Faust's set empties while a rebalance pauses everything.
    """

    def __init__(self, live: Set[TP]) -> None:
        self._live = live

    def __contains__(self, tp: object) -> bool:
        return tp in self._live

    def __iter__(self) -> Iterator[TP]:
        return iter(set(self._live))

    def __len__(self) -> int:
        return len(self._live)

    def __bool__(self) -> bool:
        return True


class HardenedConsumer(AIOKafkaConsumer):
    """The aiokafka consumer with the commit-safety fixes described above."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._read_offset = DeliverEverything()
        self._init_delivery_state()

    def _init_delivery_state(self) -> None:
        # Every message handed out, until nothing (queue, take buffer, batch) holds it any more.
        self._held: defaultdict[TP, weakref.WeakValueDictionary[int, Message]] = defaultdict(
            weakref.WeakValueDictionary
        )
        self._handing_out = False  # a fetched batch is being handed out
        self._stranded: dict[TP, tuple[int, int | None]] = {}  # last check's (resume, stranded) per partition
        self._refetches: set[asyncio.Future[None]] = set()
        self._faked: set[tuple[TP, int]] = set()  # records a test's `drop:fetch` or `stale:fetch` hook took
        self._fetched: RecordMap = {}  # the records of the batch being handed out
        self._processed: weakref.WeakSet[Message] = weakref.WeakSet()  # finished, outputs confirmed
        self._revoking = False  # inside on_partitions_revoked
        self._revoke_resume: dict[TP, int | None] = {}  # resume offsets of the partitions being revoked
        self._origins: dict[TP, int] = {}  # first offsets of our partitions that have no commit yet

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        """Never commit over offsets as a gap: in these topics a missing offset is an unprocessed one."""
        log.warning("not treating offsets %d-%d of %s as a gap: they will be processed", offset_from, offset_to, tp)

    def mark_processed(self, message: Message) -> None:
        """The agent finished `message` and the broker confirmed its outputs: its ack is real."""
        self._processed.add(message)

    def ack(self, message: Message) -> bool:
        stale = message.generation_id != self.app.consumer_generation_id
        suspended = not self.app.flow_control.is_active()
        if stale or (suspended and not self._finished_while_letting_go(message)):
            # Fetched before the last rebalance, or acked while one is under
            # way without having been processed (streams skip *and ack* what
            # they are handed then): the message is fetched again from the
            # committed offset, so recording this ack could only let a commit
            # skip it. Refusing costs a duplicate at most. What an agent
            # finishes while its partitions are being revoked, or while the
            # worker stops, is recorded: Faust waits for that work and
            # commits it before letting go.
            message.acked = True
            self._unacked_messages.discard(message)
            return False
        return super().ack(message)

    def _finished_while_letting_go(self, message: Message) -> bool:
        """Processed while the partitions are revoked or the worker stops (Faust then waits for it)."""
        return (self._revoking or bool(self.app.should_stop)) and message in self._processed

    async def on_partitions_revoked(self, revoked: set[TP]) -> None:
        """Commit what is acked, then let Faust revoke, keeping each partition's resume offset meanwhile.

        Faust forgets a revoked partition's acks and committed offset before it
        waits for the work in flight and commits that: without the commit
        first, finished batches would be redone by the next owner; without the
        resume offset, that last commit would have no guard against a hole
        below the acks it records.
        """
        try:
            await self.commit()
        except Exception as exc:  # noqa: BLE001 - the revoke must go on; the work is then redone
            log.warning("commit before the revoke failed (%s: %s)", type(exc).__name__, exc)
        self._revoke_resume = {tp: self._resume_offset(tp) for tp in revoked}
        self._revoking = True
        try:
            await super().on_partitions_revoked(revoked)
        finally:
            self._revoking, self._revoke_resume = False, {}

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
            self._origins.update(starts)
        return committed

    async def seek_wait(self, partitions: Mapping[TP, int]) -> None:
        """Seek, passing over partitions Faust has no offset for.

        Faust's recovery swallows the signal of a rebalance that interrupts it while it reads the
        changelogs, then seeks the new generation's standby partitions before it has read their
        offsets: None, which aiokafka refuses with a ValueError that crashes the worker. Passed
        over, the seek returns and recovery's next wait sees the rebalance and starts again.
        """
        known = {tp: offset for tp, offset in partitions.items() if offset is not None}
        if len(known) < len(partitions):
            log.warning("no offset to seek to yet for %s: passed over", sorted(set(partitions) - set(known)))
        await super().seek_wait(known)

    def _new_offset(self, tp: TP) -> int | None:
        acked = self._acked[tp]
        resume = self._resume_offset(tp)
        if acked and resume is not None and not self._gap.get(tp) and min(acked) > resume:
            return None  # the message at the committed (or first) offset is not acked yet
        return super()._new_offset(tp)

    def _resume_offset(self, tp: TP) -> int | None:
        """The offset the next commit must cover first: the committed one, or without one the
        partition's first offset, where the group starts."""
        committed = self._committed_offset[tp]
        if committed is None:
            committed = self._revoke_resume.get(tp)
        return committed if committed is not None else self._origins.get(tp)

    def flow(self) -> dict[str, Any]:
        """The partitions the fetch loop reads now, those Faust paused, those waiting on a full
        stream buffer, where each one's fetch and commit stand, and what holds the stranded check
        back: cheap enough for `/api/state`, which the dashboard polls."""
        assigned = sorted(self.assignment())
        return {
            "active": _names(self._active_partitions),
            "paused": _names(self._paused_partitions),
            "buffer_full": _names(self._buffered_partitions),
            "positions": {_key(tp): self._fetch_position(tp) for tp in assigned},
            "committed": {_key(tp): self._committed_offset.get(tp) for tp in assigned},
            "fetcher": str(cast(Any, self.app)._fetcher.state),
            "waiting_on": self._refetch_blocked(),
        }

    def flow_detail(self) -> dict[str, Any]:
        """`flow`, and where each record handed out sits: the offsets still held, what refers to
        those not yet committed, each agent stream's drainer and queue, the channels the conductor
        delivers each input partition to, aiokafka's side of the fetch. `/api/flow`, for
        chasing a stall: it walks the garbage collector's referrers, too slow to poll."""
        return {
            **self.flow(),
            "held": {_key(tp): sorted(held.keys()) for tp, held in self._held.items() if len(held)},
            "held_by": self._holders_of_uncommitted(),
            "streams": [stream_state(actor.stream) for agent in self.app.agents.values() for actor in agent._actors],
            "delivers_to": {
                _key(tp): [channel_state(c) for c in channels]
                for tp, channels in cast(Any, self.app.topics)._tp_index.items()
                if self.app.topics.acks_enabled_for(tp.topic)
            },
            "aiokafka": self._aiokafka_state(),
        }

    def _holders_of_uncommitted(self) -> dict[str, list[str]]:
        """For each message handed out and not yet committed, what still refers to it (a queue, a
        take buffer, a coroutine's frame): where a record that is neither processed nor refetched sits."""
        out: dict[str, list[str]] = {}
        for tp, held in list(self._held.items()):
            committed = self._committed_offset.get(tp)
            for offset, message in sorted(held.items()):
                if committed is None or offset >= committed:
                    out[f"{_key(tp)}@{offset}"] = [
                        f"acked={message.acked} generation={message.generation_id}",
                        *referrers(message),
                    ]
        return out

    def _aiokafka_state(self) -> dict[str, Any]:
        """The client's side of the fetch: a reassignment it waits out before handing anything over,
        the partitions whose fetched records wait to be drained, the nodes with a fetch in flight."""
        from faust.exceptions import ConsumerNotStarted

        try:
            consumer = self._thread._ensure_consumer()
        except ConsumerNotStarted:
            return {}
        fetcher = consumer._fetcher
        task = getattr(fetcher, "_fetch_task", None)
        return {
            "reassigning": bool(consumer._subscription.reassignment_in_progress),
            "buffered": _names(list(fetcher._records)),
            "in_flight": sorted(fetcher._in_flight),
            "fetch_routine": "done" if task is not None and task.done() else "running",
        }

    def _refetch_blocked(self) -> list[str]:
        """What keeps `refetch_stranded` from looking now: each is legitimate for a moment, never for long."""
        app = self.app
        reasons = {
            "rebalancing": app.rebalancing,
            "recovery": app.in_recovery,
            "flow_suspended": not app.flow_control.is_active(),
            "handing_out": self._handing_out,
            "committing": self._commit_fut is not None,
        }
        return [name for name, on in reasons.items() if on]

    async def _getmany(self, active_partitions: set[TP] | None, timeout: float) -> RecordMap:
        # aiokafka only asks the filter for `in` and for its truth
        live = None if active_partitions is None else cast(set[TP], LivePartitions(active_partitions))
        self._fetched = await super()._getmany(live, timeout)
        return self._fetched

    async def getmany(self, timeout: float) -> AsyncIterator[tuple[TP, Message]]:
        """Faust's fetch loop, remembering (weakly) each message it hands out, and that a batch is
        being handed out: until it is done, records fetched but not yet handed out are not lost."""
        self._fetched = {}
        handed: defaultdict[TP, set[int]] = defaultdict(set)
        try:
            async for tp, message in super().getmany(timeout):
                self._handing_out = True  # set once records arrived: no await lies between
                handed[tp].add(message.offset)
                fault = faults.on_fetch(message.value) if (tp, message.offset) not in self._faked else None
                if fault is not None:  # a test's fault hook, once per record
                    self._faked.add((tp, message.offset))
                    if fault == "drop":
                        continue
                    # "stale": as if fetched before the last rebalance
                    message.generation_id = (message.generation_id or 0) - 1
                self._held[tp][message.offset] = message
                yield tp, message
        finally:
            self._handing_out = False
            self._rewind_dropped(self._fetched, handed)

    def _rewind_dropped(self, fetched: RecordMap, handed: Mapping[TP, Container[int]]) -> None:
        """Fetch again the changelog records Faust dropped after fetching them.

        Table recovery seeks a changelog only when it starts; records dropped after that seek
        would never reach it. Input topics need no rewind: the commit and `refetch_stranded`
        bring theirs back.
        """
        for tp, records in fetched.items():
            if not self._is_changelog_tp(tp):
                continue
            dropped = [record.offset for record in records if record.offset not in handed.get(tp, ())]
            if dropped:
                log.warning(
                    "%s: Faust dropped changelog offsets %d-%d after fetching them; fetching them again",
                    tp,
                    min(dropped),
                    max(dropped),
                )
                self._in_background(self._seek_back(TP(tp.topic, tp.partition), min(dropped)))

    async def _seek_back(self, tp: TP, offset: int) -> None:
        """Seek `tp` to `offset` if its position is past it: never forward over a newer seek
        (recovery's own, made meanwhile, may have put it lower)."""

        async def back(consumer: Any) -> None:  # on the consumer thread: the look and the seek are one step
            position = partition_position(consumer, tp)
            if position is not None and position > offset:
                consumer.seek(tp, offset)

        try:
            await self._thread.call_thread(back, self._thread._ensure_consumer())
        except Exception as exc:  # noqa: BLE001 - a rebalance took the partition: recovery seeks it again
            log.warning("could not seek %s back to %d (%s: %s)", tp, offset, type(exc).__name__, exc)

    async def verify_all_partitions_active(self) -> None:
        """Faust's livelock check (every 2.5 commit intervals), plus fetching stranded records again."""
        await super().verify_all_partitions_active()
        self.refetch_stranded()

    def refetch_stranded(self) -> None:
        """Seek each partition back to its first stranded offset, seen stranded on two checks in a row.

        Skipped while anything can legitimately leave records unaccounted for a
        moment: a rebalance or recovery (Faust seeks to the commits after it), a
        batch being handed out, a commit under way (its offsets have left the
        acked list before the committed offset moves).
        """
        app = self.app
        if self._refetch_blocked():
            return
        suspects = self._stranded
        for tp in self.assignment():
            if not app.topics.acks_enabled_for(tp.topic):
                continue
            resume, position = self._resume_offset(tp), self._fetch_position(tp)
            if resume is None or position is None:
                suspects.pop(tp, None)
                continue
            start = stranded_from(resume, position, self._acked_index[tp], self._waiting(tp))
            seen, suspects[tp] = suspects.get(tp), (resume, start)
            if start is not None and seen == (resume, start):
                del suspects[tp]
                self._fetch_again(tp, start, position)

    def _waiting(self, tp: TP) -> set[int]:
        """Offsets of `tp` handed out in this generation, still referred to and not acked: what a
        stream will still process.

        A message of an older generation is skipped by every stream, and so is one taken while a
        rebalance suspends the flow (the rebalance then moves the generation on). Faust's
        accelerated stream iterator drops a skipped message without acking it, and its fetch loop
        keeps referring to the last message it handed over until the next one comes: counted as
        held, a partition whose last record was skipped stood still after a restart.
        """
        generation = self.app.consumer_generation_id
        held = list(self._held[tp].items())
        return {offset for offset, message in held if message.generation_id == generation and not message.acked}

    def _fetch_position(self, tp: TP) -> int | None:
        """aiokafka's position for `tp`: one past the last record it handed to Faust."""
        from faust.exceptions import ConsumerNotStarted

        try:
            return partition_position(self._thread._ensure_consumer(), tp)
        except ConsumerNotStarted:
            return None

    def _fetch_again(self, tp: TP, offset: int, position: int) -> None:
        """Seek `tp` back to `offset`, in the consumer thread, saying how many of the records from
        there on nothing holds any more and how many a stream skipped (still referred to)."""
        held = set(self._held[tp].keys())
        waiting = self._waiting(tp)
        let_go = sum(o not in held for o in range(offset, position))
        skipped = sum(o in held and o not in waiting for o in range(offset, position))
        log.warning(
            "%s: offsets %d-%d were fetched but are neither acked nor waiting in any stream "
            "(%d let go, %d skipped); fetching again",
            tp,
            offset,
            position - 1,
            let_go,
            skipped,
        )
        self._in_background(self._seek_logged(tp, offset))

    def _in_background(self, seek: Awaitable[None]) -> None:
        """Run a seek without waiting for it, keeping a reference until it is done."""
        task = asyncio.ensure_future(seek)
        self._refetches.add(task)
        task.add_done_callback(self._refetches.discard)

    async def _seek_logged(self, tp: TP, offset: int) -> None:
        try:
            await self.seek_wait({tp: offset})
        except Exception as exc:  # noqa: BLE001 - a rebalance took the partition: its new owner starts from the commit
            log.warning("could not seek %s back to %d (%s: %s)", tp, offset, type(exc).__name__, exc)


def stream_state(stream: Any) -> dict[str, Any]:
    """An agent's stream as the fetch loop sees it: its channel, and whether its drainer pulls from it."""
    return {
        **channel_state(stream.channel),
        "draining": bool(getattr(stream, "_passive", False)),
        "state": str(stream.state),
    }


def _key(tp: TP) -> str:
    return f"{tp.topic}-{tp.partition}"


def _names(tps: Iterable[TP] | None) -> list[str]:
    return sorted(_key(tp) for tp in tps or ())


def referrers(obj: Any, depth: int = 2) -> list[str]:
    """Names of what refers to `obj`: frames by function, containers by what holds them in turn."""
    import gc
    import types

    out = []
    for ref in gc.get_referrers(obj):
        if isinstance(ref, types.FrameType) and ref.f_code.co_name in ("referrers", "_holders_of_uncommitted"):
            continue
        if isinstance(ref, types.FrameType):
            out.append(f"frame {ref.f_code.co_name}")
        elif isinstance(ref, (list, dict, set, tuple, collections.deque)) and depth > 1:
            out.append(f"{type(ref).__name__} <- {referrers(ref, depth - 1)[:4]}")
        elif isinstance(ref, (types.CoroutineType, types.AsyncGeneratorType)):
            frame = getattr(ref, "cr_frame", None) or getattr(ref, "ag_frame", None)
            where = f" line {frame.f_lineno}" if frame is not None else ""
            out.append(f"{type(ref).__name__} {ref.__qualname__}{where}")
        elif not isinstance(ref, (list, dict, set, tuple, collections.deque)):
            out.append(type(ref).__name__)
    return out[:8]


def channel_state(channel: Any) -> dict[str, Any]:
    """A channel's topics and identity, and how many events wait in its queue: the conductor
    delivers each record to the channels it indexed at the last assignment."""
    queue = getattr(channel, "queue", None)
    return {
        "channel": f"{','.join(getattr(channel, 'topics', ()))}@{id(channel):x}",
        "queued": queue.qsize() if queue is not None else None,
    }


def partition_position(consumer: Any, tp: TP) -> int | None:
    """An aiokafka consumer's fetch position for `tp`, or None while it has none."""
    from aiokafka import TopicPartition

    try:
        state = consumer._fetcher._subscriptions.subscription.assignment.state_value(TopicPartition(*tp))
    except AttributeError:
        return None  # no subscription or assignment (yet)
    if state is None or not state.has_valid_position:
        return None  # not assigned any more, or its position is being reset
    return int(state.position)


def stranded_from(resume: int, position: int, acked: Container[int], waiting: Container[int]) -> int | None:
    """The first offset from `resume` below the fetch `position` that is neither acked nor waiting.

    Every record below the fetch position was handed to Faust; one that is not
    acked and that no queue, buffer or batch holds for processing any more was
    dropped after fetching, and only a seek brings it back (later records are
    redone too: a duplicate, never a loss).
    """
    for offset in range(resume, position):
        if offset not in acked and offset not in waiting:
            return offset
    return None


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
    consumer = stream.app.consumer
    for event in sorted(events, key=lambda e: (e.message.partition, e.message.offset)):
        if isinstance(consumer, HardenedConsumer):
            consumer.mark_processed(event.message)
        await stream.ack(event)
