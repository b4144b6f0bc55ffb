"""/healthz and /readyz: liveness, and readiness as "partitions assigned and committed offsets advance".

The verdict itself is checked on `agents.health.Progress` with a test clock
(a stall takes minutes of wall time); a real worker shows the probes wired:
not ready before it has partitions and a measurement, ready once it has,
and the committed offsets it reports advance when an article goes through.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
import uuid

import orjson
import pytest

from agents.health import Progress, stall_window
from agents.metrics import PartitionOffsets
from tests.conftest import Worker, pipeline_env, wait_until

RAW0, RAW1 = ("articles.raw", 0), ("articles.raw", 1)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def progress(clock: Clock) -> Progress:
    return Progress(stall_after_s=300, stale_after_s=60, clock=clock)


def test_not_ready_without_partitions_or_before_the_first_measurement(clock):
    p = progress(clock)
    assert not p.readiness(set()).ready and "no partitions assigned" in p.readiness(set()).reason
    verdict = p.readiness({RAW0})
    assert (verdict.status, verdict.body()["ready"]) == (503, False)
    assert "first measurement" in verdict.reason


def test_lag_with_a_committed_offset_that_does_not_move_is_a_stall_named_in_the_reason(clock):
    p = progress(clock)
    for _ in range(11):  # 10 measurements 30 s apart: 300 s without a commit
        p.observe({RAW0: PartitionOffsets(position=120, end=127), RAW1: PartitionOffsets(position=40, end=40)})
        clock.now += 30
    p.observe({RAW0: PartitionOffsets(position=120, end=127), RAW1: PartitionOffsets(position=40, end=40)})
    verdict = p.readiness({RAW0, RAW1})
    assert verdict.status == 503
    assert "articles.raw/0 has lag 7" in verdict.reason and "has not moved for 330s" in verdict.reason
    assert verdict.partitions["articles.raw/0"]["stalled"] and not verdict.partitions["articles.raw/1"]["stalled"]
    # the same partition committing again is ready at the next measurement
    clock.now += 3
    p.observe({RAW0: PartitionOffsets(position=121, end=127), RAW1: PartitionOffsets(position=40, end=40)})
    assert p.readiness({RAW0, RAW1}).ready


def test_a_quiet_partition_without_lag_is_ready_however_long_it_waits(clock):
    p = progress(clock)
    for _ in range(20):
        p.observe({RAW0: PartitionOffsets(position=500, end=500)})
        clock.now += 60
    p.observe({RAW0: PartitionOffsets(position=500, end=500)})
    assert p.readiness({RAW0}).ready
    # new records arrive: the clock of "no progress" starts now, not when the partition went quiet
    clock.now += 3
    p.observe({RAW0: PartitionOffsets(position=500, end=510)})
    assert p.readiness({RAW0}).ready


def test_a_partition_handed_to_another_worker_no_longer_counts(clock):
    p = progress(clock)
    p.observe({RAW0: PartitionOffsets(120, 127)})
    clock.now += 400
    p.observe({RAW0: PartitionOffsets(120, 127)})
    assert not p.readiness({RAW0}).ready
    assert p.readiness({RAW1}).ready  # after a rebalance this worker owns raw/1 only (measured: not in view yet)


def test_measurements_that_stop_arriving_make_the_worker_unready_with_the_last_error(clock):
    p = progress(clock)
    p.observe({RAW0: PartitionOffsets(10, 10)})
    p.failed("KafkaTimeoutError: broker away")
    clock.now += 30
    assert p.readiness({RAW0}).ready  # one failed refresh is not yet a verdict
    clock.now += 40
    verdict = p.readiness({RAW0})
    assert not verdict.ready and "not measured for 70s" in verdict.reason and "broker away" in verdict.reason


def test_the_stall_window_covers_an_article_budget_and_a_rebalance():
    assert stall_window(60, 10) == 300  # the alert's 5 minutes
    assert stall_window(600, 30) == 1260  # a generous article budget widens it


# ── a real worker ────────────────────────────────────────────────────────────


def get(port: int, path: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, orjson.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, orjson.loads(exc.read())


def first_answer(port: int, path: str, timeout: float = 120) -> tuple[int, dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return get(port, path)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.05)
    raise AssertionError(f"{path} never answered")


@pytest.mark.broker
def test_a_worker_is_unready_until_it_has_partitions_then_ready_and_its_offsets_advance(broker, tmp_path):
    from agents.clients import publish_values
    from pipeline.config import Settings

    tag = uuid.uuid4().hex[:8]  # topics of its own: the worker does not replay other tests' articles
    env = pipeline_env(
        broker.bootstrap,
        **{
            f"WIRESTREAM_TOPIC_{stem}": f"h{tag}.{stem.lower()}"
            for stem in ("RAW", "CLEAN", "PARSED", "ENRICHED", "QUOTES", "DEADLETTER")
        },
    )
    s = Settings.from_env(env)
    sources = {s.topics.raw, s.topics.clean, s.topics.parsed}
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        status, body = first_answer(worker.web_port, "/readyz")
        assert (status, body["ready"]) == (503, False), body  # no partitions or measurement yet
        assert body["reason"]
        status, live = get(worker.web_port, "/healthz")
        assert status == 200 and live["status"] == "ok"

        def ready():
            status, body = get(worker.web_port, "/readyz")
            return body if status == 200 else None

        body = wait_until(ready, timeout=120, interval=0.5, what="/readyz 200")
        assert body["reason"] == "ok"
        assert {name.rsplit("/", 1)[0] for name in body["partitions"]} == sources
        before = {name: p["committed"] for name, p in body["partitions"].items()}

        aid = f"health-{tag}"
        publish_values(
            s,
            [
                orjson.dumps(
                    {
                        "id": aid,
                        "headline": "Ferry timetable",
                        "body": "KIEL (Wirestream) - The ferry will sail twice a day from May.",
                    }
                )
            ],
        )

        def advanced():
            status, body = get(worker.web_port, "/readyz")
            moved = {n for n, p in body["partitions"].items() if p["committed"] > before.get(n, 0)}
            settled = all(p["lag"] == 0 for p in body["partitions"].values())
            topics = {n.rsplit("/", 1)[0] for n in moved}
            return status == 200 and settled and topics == sources

        wait_until(advanced, timeout=120, interval=1, what="committed offsets past the new article on every stage")
        with urllib.request.urlopen(f"http://127.0.0.1:{worker.web_port}/metrics", timeout=5) as response:
            text = response.read().decode()
        assert f'wirestream_consumer_committed_offset{{partition="0",topic="{s.topics.raw}"}}' in text
    finally:
        worker.stop()
