"""Delivery rules in agents/delivery.py, checked without a broker."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import orjson
import pytest
from aiokafka.errors import KafkaTimeoutError, MessageSizeTooLargeError
from faust.types import TP

from agents import delivery
from agents.delivery import HardenedConsumer

TP0 = TP("articles.raw", 0)


def consumer(committed: int | None, acked: list[int], in_flight: tuple[int, ...] = ()) -> HardenedConsumer:
    c = object.__new__(HardenedConsumer)  # only the offset bookkeeping is exercised
    c._init_delivery_state()
    c._acked = defaultdict(list, {TP0: list(acked)})
    c._acked_index = defaultdict(set, {TP0: set(acked)})
    c._committed_offset = defaultdict(lambda: None, {TP0: committed})
    c._gap = defaultdict(list)
    c._unacked_messages = [SimpleNamespace(tp=TP0, offset=o, acked=False) for o in in_flight]
    return c


class FakeThread:
    """The consumer thread's seeks, recorded (what HardenedConsumer asks aiokafka for)."""

    def __init__(self, committed: dict, earliest: dict | None = None) -> None:
        self.committed, self.earliest, self.seeks = committed, earliest or {}, []

    async def seek_to_committed(self) -> dict:
        return dict(self.committed)

    async def earliest_offsets(self, *tps: TP) -> dict:
        return {tp: self.earliest.get(tp, 0) for tp in tps}

    async def seek_wait(self, offsets: dict) -> None:
        self.seeks.append(dict(offsets))


def test_commit_never_skips_the_unacked_message_at_the_committed_offset():
    # Offset 32 is in flight, 33 and 34 are done: faust's own guard
    # (`min(acked) - committed > 1`) would commit 35 and lose 32.
    assert consumer(32, [33, 34], in_flight=(32,))._new_offset(TP0) is None
    c = consumer(0, [1, 2], in_flight=(0,))  # committed 0 is falsy upstream: the first offset guards
    c._origins = {TP0: 0}
    assert c._new_offset(TP0) is None


def test_without_a_committed_offset_the_partitions_first_offset_guards_the_commit():
    # A new group (or one whose committed offset is 0, which Faust also keeps as None):
    # the partition starts at 0, which is still in flight when 1 and 2 are acked.
    c = consumer(None, [1, 2], in_flight=(0,))
    c._origins = {TP0: 0}
    assert c._new_offset(TP0) is None
    c._acked[TP0], c._acked_index[TP0] = [0, 1, 2], {0, 1, 2}
    assert c._new_offset(TP0) == 3


def test_a_partition_without_a_committed_offset_is_sought_to_its_first_offset():
    """aiokafka's seek_to_committed leaves such a partition where it is, which after Faust dropped
    fetched records (flow stopped, partition paused, generation changed) is past them."""
    clean0, clean1, log0 = TP("articles.clean", 0), TP("articles.clean", 1), TP("app-stories-changelog", 0)
    c = object.__new__(HardenedConsumer)
    c._init_delivery_state()
    c._thread = FakeThread({TP0: None, clean0: 0, clean1: 12, log0: None}, earliest={clean0: 3})
    c.app = SimpleNamespace(
        topics=SimpleNamespace(acks_enabled_for=lambda topic: topic.startswith("articles.")),
        conf=SimpleNamespace(consumer_auto_offset_reset="earliest"),
    )
    committed = asyncio.run(c.seek_to_committed())
    assert committed[clean1] == 12  # aiokafka sought that one itself
    assert c._thread.seeks == [{TP0: 0, clean0: 3}]  # not the changelog: Faust's recovery seeks those
    assert c._origins == {TP0: 0, clean0: 3}


class Positions:
    """An aiokafka consumer as `partition_position` and `_seek_back` see it: positions and seeks."""

    def __init__(self, positions: dict) -> None:
        self.positions, self.seeks = positions, []
        states = {tp: SimpleNamespace(has_valid_position=True, position=p) for tp, p in positions.items()}
        assignment = SimpleNamespace(state_value=lambda tp: states.get((tp.topic, tp.partition)))
        subscription = SimpleNamespace(assignment=assignment)
        self._fetcher = SimpleNamespace(_subscriptions=SimpleNamespace(subscription=subscription))

    def seek(self, tp, offset: int) -> None:
        self.seeks.append((tp, offset))


def test_changelog_records_faust_dropped_after_fetching_are_fetched_again():
    """Table recovery seeks a changelog once, when it starts; what Faust drops after that (flow
    stopped, partition paused mid-batch) must be fetched again or recovery waits for it forever.
    Input partitions are left to the commit and the stranded check."""
    log0, log1 = TP("app-stories-changelog", 0), TP("app-stories-changelog", 1)
    aio = Positions({log0: 8, log1: 3, TP0: 20})

    async def hand_out() -> None:
        c = object.__new__(HardenedConsumer)
        c._init_delivery_state()
        c.app = SimpleNamespace(tables=SimpleNamespace(changelog_topics={"app-stories-changelog"}))

        async def call_thread(fn, *args):
            return await fn(*args)

        c._thread = SimpleNamespace(call_thread=call_thread, _ensure_consumer=lambda: aio)
        records = lambda *offsets: [SimpleNamespace(offset=o) for o in offsets]  # noqa: E731
        fetched = {log0: records(5, 6, 7), log1: records(5, 6), TP0: records(17, 18, 19)}
        # 5 of log0 was handed out; the rest of the batch was dropped. log1 was sought to 2
        # meanwhile (by recovery): going "back" to 5 would skip 2-4.
        c._rewind_dropped(fetched, {log0: {5}})
        await asyncio.gather(*c._refetches)

    asyncio.run(hand_out())
    assert aio.seeks == [(log0, 6)]


def test_a_fetch_filter_is_never_read_as_every_partition():
    """aiokafka skips a partition outside the filter only when the filter is non-empty; Faust's
    live set empties while a rebalance pauses everything."""
    live = {TP0}
    view = delivery.LivePartitions(live)
    assert view and TP0 in view and TP("articles.raw", 1) not in view
    live.clear()
    assert view and TP0 not in view and len(view) == 0  # still true: "none", not "all"


def test_a_partition_faust_has_no_offset_for_is_passed_over_not_crashed_on():
    """A rebalance during table recovery: Faust seeks the new standby partitions with offset None
    (aiokafka raises ValueError, which crashed a CI run's worker); the others are still sought."""
    log0, log1 = TP("app-stories-changelog", 0), TP("app-stories-changelog", 1)
    c = object.__new__(HardenedConsumer)
    c._init_delivery_state()
    c._thread = FakeThread({})
    asyncio.run(c.seek_wait({log0: None, log1: 4}))
    assert c._thread.seeks == [{log1: 4}]


@pytest.mark.parametrize(
    ("resume", "position", "acked", "held", "start"),
    [
        (0, 16, [10, 11, 12], [13, 14, 15], 0),  # 0-9 handed out and dropped: fetch again from 0
        (7, 11, [8, 9, 10], [], 7),  # one record dropped (a chaos run: a commit stuck at 7 for minutes)
        (7, 11, [8, 9, 10], [7], None),  # 7 is still queued or being worked on
        (9, 25, [], [], 9),  # the tail dropped, nothing after it: no ack will ever ask for it (the CI stall)
        (9, 25, [], range(9, 25), None),  # all queued behind a slow article
        (7, 9, [7, 8], [], None),  # nothing missing: the commit moves on
        (7, 7, [], [], None),  # nothing fetched beyond the commit
    ],
)
def test_stranded_from_finds_records_dropped_after_fetching(resume, position, acked, held, start):
    assert delivery.stranded_from(resume, position, set(acked), set(held)) == start


class Held:
    """A stand-in message: the consumer holds messages only weakly."""

    def __init__(self, offset: int, generation_id: int = 1) -> None:
        self.offset = offset
        self.generation_id = generation_id
        self.acked = False


def watched(committed: int, position: int, acked: list[int]) -> HardenedConsumer:
    """A consumer whose livelock check can run: one assigned input partition at `position`."""
    c = consumer(committed, acked)
    c.app = SimpleNamespace(
        consumer_generation_id=1,
        rebalancing=False,
        in_recovery=False,
        flow_control=SimpleNamespace(is_active=lambda: True),
        topics=SimpleNamespace(acks_enabled_for=lambda topic: topic.startswith("articles.")),
    )
    c._commit_fut = None
    c._thread = FakeThread({})
    c.assignment = lambda: {TP0}
    c._fetch_position = lambda tp: position
    return c


def test_a_stranded_tail_is_fetched_again_once_two_checks_agree():
    """The CI stall: a worker joined, the peer kept articles.raw p1, whose last records were handed
    out after the rebalance's seek and dropped; nothing later was acked, so nothing asked for them."""

    async def scenario() -> tuple[list, list, list]:
        c = watched(9, 25, [])
        c.refetch_stranded()  # the first sighting: maybe a moment between two hands
        await asyncio.sleep(0)
        first = list(c._thread.seeks)
        c.refetch_stranded()
        await asyncio.sleep(0)
        second = list(c._thread.seeks)
        c.refetch_stranded()  # the next check starts over: no second seek for the same sighting
        await asyncio.sleep(0)
        return first, second, c._thread.seeks

    first, second, third = asyncio.run(scenario())
    assert first == [] and second == [{TP0: 9}] and third == [{TP0: 9}]


def test_records_still_held_or_in_a_moving_partition_are_left_alone():
    async def scenario(c: HardenedConsumer, between=lambda c: None) -> list:
        c.refetch_stranded()
        between(c)
        c.refetch_stranded()
        await asyncio.sleep(0)
        return c._thread.seeks

    c = watched(9, 25, [])
    queued = [Held(o) for o in range(9, 25)]  # queued behind a slow article
    c._held[TP0].update({m.offset: m for m in queued})
    assert asyncio.run(scenario(c)) == []

    def progress(c):  # the commit moved between the checks: a different sighting
        c._committed_offset[TP0] = 12

    assert asyncio.run(scenario(watched(9, 25, []), progress)) == []

    def handing_out(c):
        c._handing_out = True

    assert asyncio.run(scenario(watched(9, 25, []), handing_out)) == []
    del queued


def test_a_message_let_go_unacked_counts_as_stranded():
    async def scenario() -> list:
        c = watched(9, 11, [10])
        dropped = Held(9)
        c._held[TP0][9] = dropped
        c.refetch_stranded()
        del dropped  # a queue cleared, a stream skipping it: nothing holds offset 9 any more
        c.refetch_stranded()
        c.refetch_stranded()
        await asyncio.sleep(0)
        return c._thread.seeks

    assert asyncio.run(scenario()) == [{TP0: 9}]


@pytest.mark.parametrize("skipped", ["older generation", "ack refused"])
def test_a_message_still_referred_to_but_skipped_counts_as_stranded(skipped):
    """The stall after restarts: Faust's fetch loop keeps the last message it handed over until the
    next one comes, and its accelerated stream iterator drops a message of an older generation
    without an ack: referred to, never processed."""

    async def scenario() -> list:
        c = watched(9, 10, [])
        kept = Held(9, generation_id=0) if skipped == "older generation" else Held(9)
        kept.acked = skipped == "ack refused"
        c._held[TP0][9] = kept
        c.refetch_stranded()
        c.refetch_stranded()
        await asyncio.sleep(0)
        del kept
        return c._thread.seeks

    assert asyncio.run(scenario()) == [{TP0: 9}]


def test_commit_advances_over_a_contiguous_acked_run():
    assert consumer(32, [32, 33, 34])._new_offset(TP0) == 35
    assert consumer(32, [32, 33, 36])._new_offset(TP0) == 34  # stops at the gap
    assert consumer(None, [0, 1])._new_offset(TP0) == 2


def test_acks_from_a_stale_generation_are_not_recorded():
    c = consumer(10, [])
    c.app = SimpleNamespace(consumer_generation_id=3, flow_control=SimpleNamespace(is_active=lambda: True))
    c._unacked_messages = set()
    message = type("Msg", (), {"generation_id": 2, "acked": False, "tp": TP0, "offset": 10})()
    assert c.ack(message) is False
    assert message.acked and c._acked[TP0] == []


def test_acks_during_a_rebalance_are_not_recorded():
    c = consumer(10, [])
    c.app = SimpleNamespace(
        consumer_generation_id=3, flow_control=SimpleNamespace(is_active=lambda: False), should_stop=False
    )
    c._unacked_messages = set()
    message = type("Msg", (), {"generation_id": 3, "acked": False, "tp": TP0, "offset": 10})()
    assert c.ack(message) is False
    assert message.acked and c._acked[TP0] == []


class Msg:
    """A stand-in for faust's Message: what the consumer's ack reads."""

    def __init__(self, offset: int, generation_id: int = 3) -> None:
        self.topic, self.tp, self.offset = TP0.topic, TP0, offset
        self.generation_id, self.acked = generation_id, False


def revoking(committed: int, acked: list[int], monkeypatch, finishes: list[Msg]) -> tuple[HardenedConsumer, list]:
    """A consumer mid-rebalance over TP0, with faust-streaming 0.15.3's revoke replaced by what it
    does to the books: forget the partition's acks and commit, wait while the agent finishes
    `finishes` (the batch in flight, its outputs confirmed), commit."""
    from faust.transport.consumer import Consumer as FaustConsumer

    c = consumer(committed, acked)
    c.app = SimpleNamespace(
        consumer_generation_id=3,
        flow_control=SimpleNamespace(is_active=lambda: False),  # suspended for the rebalance
        topics=SimpleNamespace(acks_enabled_for=lambda topic: True),
    )
    c.app.should_stop = False
    c._unacked_messages, c._n_acked, c._waiting_for_ack = set(), 0, None
    commits: list[int] = []

    async def commit() -> None:
        offset = c._new_offset(TP0)
        if offset is not None and c._should_commit(TP0, offset):
            commits.append(offset)
            c._committed_offset[TP0] = offset

    async def faust_revoke(self, revoked) -> None:
        for tp in revoked:
            self._acked.pop(tp, None)
            self._acked_index.pop(tp, None)
            self._committed_offset.pop(tp, None)
        for message in finishes:
            self.mark_processed(message)
            self.ack(message)
        await self.commit()

    c.commit = commit
    monkeypatch.setattr(FaustConsumer, "on_partitions_revoked", faust_revoke)
    return c, commits


def test_work_finished_while_partitions_are_revoked_is_committed_not_redone(monkeypatch):
    """A worker joined while the peer's batch held a poison article: the batch ran out its budget
    during the revoke, was refused its acks and was run again by the next owner (the budget twice)."""
    batch = [Msg(o) for o in range(18, 26)]
    c, commits = revoking(10, list(range(10, 18)), monkeypatch, batch)
    asyncio.run(c.on_partitions_revoked({TP0}))
    assert commits == [18, 26]  # what was acked before, then the batch finished during the revoke


def test_a_hole_below_work_finished_during_a_revoke_still_blocks_the_commit(monkeypatch):
    # 10-17 were never processed (dropped, being fetched again); Faust forgot the committed offset
    # at the revoke, so without the kept resume offset 18-25 would be committed over them.
    c, commits = revoking(10, [], monkeypatch, [Msg(o) for o in range(18, 26)])
    asyncio.run(c.on_partitions_revoked({TP0}))
    assert commits == []
    assert c._revoke_resume == {} and not c._revoking  # only kept while the revoke runs


def test_only_processed_acks_of_the_current_generation_count_during_a_revoke(monkeypatch):
    skipped, stale, done = Msg(20), Msg(21, generation_id=2), Msg(22)
    c, _ = revoking(20, [], monkeypatch, [])
    c._revoking = True
    assert c.ack(skipped) is False  # a stream's skip-ack: not processed
    c.mark_processed(stale)
    assert c.ack(stale) is False  # the partition may have moved since
    c.mark_processed(done)
    assert c.ack(done) is True and c._acked[TP0] == [22]
    c._revoking = False
    late = Msg(23)
    c.mark_processed(late)
    assert c.ack(late) is False  # after the revoke's commit, before the new assignment
    c.app.should_stop = True  # a graceful stop: Faust waits for the batch in flight and commits it
    stopping = Msg(23)
    c.mark_processed(stopping)
    assert c.ack(stopping) is True and c._acked[TP0] == [22, 23]


def test_every_fetched_message_is_delivered_and_no_offset_is_committed_over_as_a_gap():
    """A message fetched before a rebalance sets Faust's read offset after the rebalance reset it;
    the re-fetched offsets below it must still reach the stream, and none above be skipped."""
    c = object.__new__(HardenedConsumer)
    c._read_offset = delivery.DeliverEverything()
    c._read_offset[TP0] = 25  # what the stale message leaves behind
    assert c._read_offset[TP0] is None  # Faust then delivers offsets 9..24 again instead of dropping them
    c._committed_offset, c._gap = defaultdict(lambda: None, {TP0: 9}), defaultdict(list)
    asyncio.run(c._add_gap(TP0, 10, 25))
    assert not c._gap[TP0]
    c._acked, c._acked_index = defaultdict(list, {TP0: [25]}), defaultdict(set, {TP0: {25}})
    c._unacked_messages = [SimpleNamespace(tp=TP0, offset=9, acked=False)]  # delivered again, in progress
    assert c._new_offset(TP0) is None  # 9..24 unprocessed: nothing to commit


def test_a_stalled_broker_is_retried_for_a_time_window_not_a_count(monkeypatch):
    monkeypatch.setattr(delivery, "SEND_BACKOFF_FLOOR_S", 0.0)
    monkeypatch.setattr(delivery, "backoff", lambda attempt: 0.0)
    calls = []

    async def stalled_then_back():  # fails at once 30 times (a stopped broker), then answers
        calls.append(1)
        if len(calls) <= 30:
            raise KafkaTimeoutError()
        fut = asyncio.get_running_loop().create_future()
        fut.set_result("metadata")
        return fut

    assert asyncio.run(delivery.send_confirmed(stalled_then_back, window_s=5)) == "metadata"
    calls.clear()
    with pytest.raises(KafkaTimeoutError):
        asyncio.run(delivery.send_confirmed(stalled_then_back, window_s=0))


def test_retriable_send_failures_are_retried_then_confirmed(monkeypatch):
    monkeypatch.setattr(delivery, "backoff", lambda attempt: 0.0)
    calls = []

    async def flaky_send():
        calls.append(1)
        if len(calls) < 3:
            raise KafkaTimeoutError()
        fut = asyncio.get_running_loop().create_future()
        fut.set_result("metadata")
        return fut

    assert asyncio.run(delivery.send_confirmed(flaky_send)) == "metadata"
    assert len(calls) == 3


def test_faust_wrapped_producer_errors_are_judged_by_their_cause():
    from faust.exceptions import ProducerSendError

    def wrapped(cause: BaseException) -> ProducerSendError:
        try:
            raise ProducerSendError(f"Error while sending: {cause!r}") from cause
        except ProducerSendError as exc:
            return exc

    assert delivery.retriable(wrapped(KafkaTimeoutError()))  # what a broker restart looks like
    assert not delivery.retriable(wrapped(ValueError("bug")))


def test_non_retriable_failure_is_raised_at_once():
    calls = []

    async def bad_send():
        calls.append(1)
        raise ValueError("a bug, not the broker")

    with pytest.raises(ValueError):
        asyncio.run(delivery.send_confirmed(bad_send))
    assert len(calls) == 1


def test_oversized_record_becomes_its_replacement_instead_of_a_restart_loop():
    sent = []

    async def refused():
        raise MessageSizeTooLargeError()

    async def letter():
        sent.append("dead letter")
        fut = asyncio.get_running_loop().create_future()
        fut.set_result("ok")
        return fut

    asyncio.run(delivery.send_in_key_order([(b"k", refused)], oversized=lambda fn, exc: letter))
    assert sent == ["dead letter"]


def test_a_retried_send_is_never_overtaken_by_a_later_record_of_its_key(monkeypatch):
    """v1 of story A fails once (a broker stall); v2 of A must go out after v1, B is not held up."""
    from aiokafka.errors import KafkaTimeoutError

    monkeypatch.setattr(delivery, "backoff", lambda attempt: 0.05)
    order, failed = [], []

    def send(name: str, fail_first: bool = False):
        async def go():
            order.append(f"{name} sent")
            fut = asyncio.get_running_loop().create_future()
            if fail_first and not failed:
                failed.append(name)
                fut.set_exception(KafkaTimeoutError())
            else:
                fut.set_result(name)
                order.append(f"{name} acked")
            return fut

        return go

    sends = [(b"A", send("A1", fail_first=True)), (b"B", send("B1")), (b"A", send("A2")), (b"B", send("B2"))]
    asyncio.run(delivery.send_in_key_order(sends))
    a_events = [e for e in order if e.startswith("A")]
    assert a_events == ["A1 sent", "A1 sent", "A1 acked", "A2 sent", "A2 acked"]
    assert order.index("B1 acked") < order.index("A1 acked")  # other keys go on meanwhile


def test_backoff_is_capped_and_jittered():
    assert all(0 <= delivery.backoff(a) <= delivery.SEND_BACKOFF_CAP_S for a in range(30))
    assert max(delivery.backoff(10) for _ in range(50)) > delivery.SEND_BACKOFF_S


def test_a_long_spacy_batch_leaves_the_event_loop_free_for_heartbeats():
    """The NLP runs in the pool's process; the loop (heartbeats, commits) must keep ticking meanwhile."""
    from pipeline.config import Settings
    from pipeline.isolation import ProcessPool
    from pipeline.runner import run_stage
    from pipeline.stages import Message
    from tools.chaos import make_articles

    settings = Settings()
    pool = ProcessPool(settings, size=1).start()  # the model loads here: we time the batch, not the load
    values = [v for _, v, outcome in make_articles(80, "loop", 1) if outcome == "enriched"]
    cleaned = [o.records[0].to_json() for o in run_stage("clean", [Message(v) for v in values], pool)]
    batch = [Message(v) for v in cleaned]
    executor = ThreadPoolExecutor(max_workers=1)

    async def main() -> tuple[float, float]:
        loop = asyncio.get_running_loop()
        job = loop.run_in_executor(executor, run_stage, "entities", batch, pool)
        worst, last, start = 0.0, time.monotonic(), time.monotonic()
        while not job.done():
            await asyncio.sleep(0.02)
            now = time.monotonic()
            worst, last = max(worst, now - last), now
        outcomes = await job
        assert all(o.records and not o.dead for o in outcomes)
        return worst, time.monotonic() - start

    worst, total = asyncio.run(main())
    executor.shutdown()
    pool.close()
    # Heartbeats go every 3 s and the session times out after 10 s; a tick
    # delayed by more than a second would already be a warning sign.
    assert worst < 1.0, f"event loop stalled {worst:.2f}s during a {total:.1f}s spaCy batch"


def test_content_hash_ignores_processing_so_replays_hash_the_same():
    from pipeline import codec

    a = {"id": "x", "body": "b", "processing": {"enriched_at": "1", "timings_ms": {"clean": 1.0}}}
    b = {"id": "x", "body": "b", "processing": {"enriched_at": "2", "timings_ms": {"clean": 9.0}}}
    assert codec.content_hash(a) == codec.content_hash(b)
    assert codec.content_hash(a) != codec.content_hash({**a, "body": "c"})
    assert orjson.dumps(a)  # plain JSON


def test_app_delivery_settings_and_loopback_web_port():
    from agents.topology import create_app
    from pipeline.config import Settings

    app = create_app(Settings())
    assert app.conf.web_bind == "127.0.0.1"  # the web port is not exposed unless configured
    assert app.conf.processing_guarantee.value == "at_least_once"
    assert app.conf.producer_acks == -1
    assert app.transport.Consumer is HardenedConsumer
    assert app.conf.broker_session_timeout == Settings().session_timeout_s


def test_settings_never_show_the_password():
    from pipeline.config import Settings

    s = Settings.from_env(
        {"KAFKA_SASL_MECHANISM": "PLAIN", "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "hunter2-secret"}
    )
    assert "hunter2-secret" not in repr(s) and "hunter2-secret" not in str(s)
    from agents.security import faust_credentials

    assert "hunter2-secret" not in repr(faust_credentials(s))
