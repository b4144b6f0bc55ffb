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
    c._thread = FakeThread({TP0: None, clean0: 0, clean1: 12, log0: None}, earliest={clean0: 3})
    c.app = SimpleNamespace(
        topics=SimpleNamespace(acks_enabled_for=lambda topic: topic.startswith("articles.")),
        conf=SimpleNamespace(consumer_auto_offset_reset="earliest"),
    )
    committed = asyncio.run(c.seek_to_committed())
    assert committed[clean1] == 12  # aiokafka sought that one itself
    assert c._thread.seeks == [{TP0: 0, clean0: 3}]  # not the changelog: Faust's recovery seeks those
    assert c._origins == {TP0: 0, clean0: 3}


@pytest.mark.parametrize(
    ("resume", "acked", "in_flight", "start"),
    [
        (0, [10, 11, 12], [], 0),  # 0-9 taken from aiokafka and dropped: fetch again from 0
        (7, [8, 9, 10], [], 7),  # one record dropped (the chaos run: a commit stuck at 7 for minutes)
        (7, [8, 9, 10], [7], None),  # 7 is still being worked on
        (7, [8, 9, 10], [3, 11], 7),  # in flight, but neither below 8 from 7 on
        (7, [7, 8], [], None),  # nothing missing: the commit moves on
        (7, [], [], None),
    ],
)
def test_dropped_from_finds_records_dropped_after_fetching(resume, acked, in_flight, start):
    assert delivery.dropped_from(resume, acked, in_flight) == start


def test_records_dropped_after_fetching_are_fetched_again_not_committed_over():
    """The chaos failure: the peer that took over articles.clean p1 (never committed) was handed
    only offsets 10 and up; their commit must wait for 0-9, which are fetched again."""

    async def scenario() -> tuple[list, int | None, list, int | None]:
        c = consumer(None, list(range(10, 16)))
        c._origins, c._thread = {TP0: 0}, FakeThread({})
        first = c._new_offset(TP0)
        c._new_offset(TP0)  # the next commit attempt: no second seek while the first is under way
        await asyncio.sleep(0)
        seeks = list(c._thread.seeks)
        c._acked[TP0] = list(range(16))
        c._acked_index[TP0] = set(range(16))
        return seeks, first, c._thread.seeks, c._new_offset(TP0)

    seeks, first, _, after = asyncio.run(scenario())
    assert first is None  # never committed over 0-9
    assert seeks == [{TP0: 0}]
    assert after == 16


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
    c.app = SimpleNamespace(consumer_generation_id=3, flow_control=SimpleNamespace(is_active=lambda: False))
    c._unacked_messages = set()
    message = type("Msg", (), {"generation_id": 3, "acked": False, "tp": TP0, "offset": 10})()
    assert c.ack(message) is False
    assert message.acked and c._acked[TP0] == []


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
