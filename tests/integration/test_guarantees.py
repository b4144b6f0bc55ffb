"""The README's delivery promises under the faults a deployment sees, on a broker of this module's own.

* A poison article (a body over the model's limit) among small ones on two
  partitions: every small one comes out, the big one is dead-lettered with its
  reason, and the lag returns to 0.
* One story's successive versions, published back to back while the broker is
  paused (SIGSTOP) for longer than the worker's send timeout: the last record
  per key on articles.enriched is the latest version, and no key goes back.
* A story's life: v2, v3, v2 again, then a kill, with the worker SIGKILLed
  between the steps: articles.enriched shows v2, v3, a tombstone, never v2
  after v3; articles.quotes holds the quotes of the live version, then tombstones.
* An embargoed story comes out only after its embargo, also across a restart.
* A record the consumer throws away after fetching it (faust-streaming does so
  around rebalances; here a test-only fault hook does it), with nothing
  published after it, is fetched again and comes out: the partition does not
  stand still with lag until the next rebalance.
* A worker told to stop (SIGTERM to its whole process group, as systemd does)
  while a batch is stuck in flight leaves within its grace period instead of
  waiting for that batch forever; a batch that finishes during the stop is
  committed, so the next worker of the group does not run it again.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from agents.clients import publish_values
from pipeline.config import Settings
from tests.conftest import Worker, free_port, pipeline_env, wait_until
from tests.integration.test_stream import read_topic

pytestmark = pytest.mark.broker


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory):
    """A broker this module may pause and whose topics it owns."""
    from agents.clients import ensure_topics
    from wirestream.localbroker import LocalBroker

    b = LocalBroker(port=free_port(), data_dir=tmp_path_factory.mktemp("kafka-guarantees"))
    b.start()
    ensure_topics(Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": b.bootstrap}))
    yield b
    b.stop()


@pytest.fixture()
def start_worker(own_broker, tmp_path):
    workers: list[Worker] = []

    def start(env: dict[str, str] | None = None) -> Worker:
        w = Worker(env or pipeline_env(own_broker.bootstrap), tmp_path / f"worker-{len(workers)}.log").start()
        workers.append(w)
        return w

    yield start
    for w in workers:
        w.stop()


def settings_of(broker) -> Settings:
    return Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap})


def keyed(records, prefix: str) -> list[tuple[str, bytes | None]]:
    return [(r.key.decode(), r.value) for r in records if r.key and r.key.decode().startswith(prefix)]


def revision(value: bytes | None) -> int | None:
    if value is None:
        return None
    body = orjson.loads(value)["body"]
    return next(n for n in range(1, 10) if f"revision number {n}." in body)


def enriched_exactly(s: Settings, prefix: str, ids: list[str]) -> Callable[[], set[str] | None]:
    """A wait: the enriched keys starting with `prefix`, once they are exactly `ids`."""

    def check() -> set[str] | None:
        got = {k for k, _ in keyed(read_topic(s, s.topics.enriched), prefix)}
        return got if got == set(ids) else None

    return check


def story(aid: str, n: int, **extra) -> bytes:
    body = (
        "LISBON (Reuters) - The port authority approved a new ferry route on Tuesday.\n\n"
        f"\u201cWe expect the work to finish before winter,\u201d Marta Velasko, the spokeswoman, told reporters.\n\n"
        f"This is revision number {n}."
    )
    if n == 3:
        body += "\n\n\u201cThe second pier opens next year,\u201d she added."
    return orjson.dumps({"id": aid, "headline": "Ferry", "body": body, **extra})


def test_poison_article_does_not_stall_either_partition(own_broker, start_worker) -> None:
    env = pipeline_env(own_broker.bootstrap)
    start_worker(env)
    run = uuid.uuid4().hex[:8]
    small = [
        orjson.dumps(
            {
                "id": f"pz-{run}-{i}",
                "headline": f"Small {i}",
                "body": f'LONDON (Reuters) - "We will meet again on day {i}," said Jane Doe, a spokeswoman.',
            }
        )
        for i in range(10)
    ]
    huge = orjson.dumps({"id": f"pz-{run}-huge", "body": "lorem ipsum dolor sit amet consectetur " * 40000})
    s = settings_of(own_broker)
    publish_values(s, [*small[:3], huge, *small[3:]])
    want = {f"pz-{run}-{i}" for i in range(10)}

    def done():
        got = {k for k, _ in keyed(read_topic(s, s.topics.enriched), f"pz-{run}-")}
        dead = {k: orjson.loads(v)["reason"] for k, v in keyed(read_topic(s, s.topics.deadletter), f"pz-{run}-")}
        return (got, dead) if got >= want and f"pz-{run}-huge" in dead else None

    got, dead = wait_until(done, 120, what="every small article enriched and the huge one dead-lettered")
    assert got == want and dead == {f"pz-{run}-huge": "body_too_large"}
    from agents.metrics import LagProbe

    probe = LagProbe(s, env["WIRESTREAM_APP_ID"])

    def lag() -> int:
        return sum(probe.measure([(s.topics.raw, p) for p in range(s.partitions)]).values())

    wait_until(lambda: lag() == 0, 60, what="lag back to 0 on articles.raw")
    probe.close()


def test_a_record_dropped_after_fetching_is_fetched_again(own_broker, start_worker) -> None:
    w = start_worker(pipeline_env(own_broker.bootstrap, WIRESTREAM_FAULT_HOOKS="drop:fetch:FETCHDROP"))
    run = uuid.uuid4().hex[:8]
    ids = [f"fd-{run}-{i}" for i in range(4)]
    values = [
        orjson.dumps({"id": aid, "headline": "Harbour", "body": f"OSLO (NTB) - The harbour reopened on day {i}."})
        for i, aid in enumerate(ids)
    ]
    # The marked one goes last, so no later record's ack can point back at it.
    values[-1] = orjson.dumps({"id": ids[-1], "headline": "Harbour", "body": "OSLO (NTB) - FETCHDROP was seen."})
    s = settings_of(own_broker)
    publish_values(s, values)

    wait_until(enriched_exactly(s, f"fd-{run}-", ids), 120, what="every article enriched, the dropped one too")
    assert "neither acked nor waiting in any stream (1 let go, 0 skipped); fetching again" in w.log()


def test_a_record_its_stream_skipped_as_stale_is_fetched_again(own_broker, start_worker) -> None:
    """A stream skips a record of an older consumer generation and keeps referring to it (Faust's
    iterator holds the last message it took until the next one comes). The stall seen after
    restarts: the record was handed over, skipped, and counted as held, so nothing fetched it
    again. The `stale:fetch` hook hands one record over as if fetched before the last rebalance
    (a real stale record needs a rebalance to land between its fetch and its turn)."""
    w = start_worker(pipeline_env(own_broker.bootstrap, WIRESTREAM_FAULT_HOOKS="stale:fetch:FETCHSTALE"))
    run = uuid.uuid4().hex[:8]
    s = settings_of(own_broker)
    ids = [f"fs-{run}-{i}" for i in range(3)]

    publish_values(
        s,
        [
            orjson.dumps({"id": aid, "body": f"OSLO (NTB) - The ferry left on day {i}."})
            for i, aid in enumerate(ids[:2])
        ],
    )
    wait_for(w, enriched_exactly(s, f"fs-{run}-", ids[:2]), 120, what="the unmarked articles enriched")
    # the marked one alone and last: no later record on any partition makes the stream let go of it
    publish_values(s, [orjson.dumps({"id": ids[2], "body": "OSLO (NTB) - FETCHSTALE was seen."})])
    wait_for(w, enriched_exactly(s, f"fs-{run}-", ids), 120, what="the skipped article fetched again and enriched")
    assert "neither acked nor waiting in any stream (0 let go, 1 skipped); fetching again" in w.log()


def sigterm_mid_batch(broker, start_worker, prefix: str, budget_s: int) -> tuple[Worker, dict[str, str], str, float]:
    """A worker whose entities batch hangs on an article past `budget_s`, sent SIGTERM to its whole
    process group (as systemd does) while that batch is in the NLP process: the worker, its
    environment (its group), the article id and when the signal went."""
    marker = f"{prefix.upper()}HANG"
    env = pipeline_env(
        broker.bootstrap, WIRESTREAM_FAULT_HOOKS=f"hang:entities:{marker}", WIRESTREAM_ARTICLE_TIMEOUT=str(budget_s)
    )
    s = settings_of(broker)
    aid = f"{prefix}-{uuid.uuid4().hex[:8]}"
    worker = start_worker(env)
    publish_values(s, [orjson.dumps({"id": aid, "body": f"OSLO (NTB) - The {marker} ferry left late."})])
    wait_until(lambda: keyed(read_topic(s, s.topics.clean), aid), 120, what="the article cleaned")
    # its entities batch is in the NLP process, running out its budget (the hook says so in the log):
    # a fixed sleep here was too short on a loaded machine, the stop then found no batch in flight
    wait_for(worker, lambda: f"entities hangs on marker {marker!r}" in worker.log(), 60, what="the batch stuck")
    assert worker.proc is not None
    began = time.monotonic()
    os.killpg(worker.proc.pid, signal.SIGTERM)
    return worker, env, aid, began


def test_a_stop_with_a_batch_stuck_in_flight_ends_within_its_grace(own_broker, start_worker) -> None:
    from agents.worker import SHUTDOWN_GRACE_S

    w, _, _, began = sigterm_mid_batch(own_broker, start_worker, "ss", budget_s=600)
    assert w.proc is not None
    code = w.proc.wait(SHUTDOWN_GRACE_S + 60)
    assert time.monotonic() - began < SHUTDOWN_GRACE_S + 20
    assert code == 0  # as a finished stop: the group redoes what was not committed
    assert "graceful stop still not done" in w.log()


def test_a_batch_finished_during_a_graceful_stop_is_not_run_again(own_broker, start_worker) -> None:
    first, env, aid, _ = sigterm_mid_batch(own_broker, start_worker, "gs", budget_s=8)
    assert first.proc is not None
    assert first.proc.wait(60) == 0
    s = settings_of(own_broker)

    def letters() -> list[str]:
        return [orjson.loads(v)["reason"] for _, v in keyed(read_topic(s, s.topics.deadletter), aid)]

    assert letters() == ["processing_timeout"]  # finished during the stop: sent, confirmed, acked
    start_worker(env)  # the same group: it resumes from what the stop committed
    wait_caught_up(own_broker, env)
    assert letters() == ["processing_timeout"]  # not run again: before, its acks were refused at the stop


def test_versions_keep_their_order_through_broker_stalls(own_broker, start_worker) -> None:
    start_worker(pipeline_env(own_broker.bootstrap, WIRESTREAM_SEND_TIMEOUT="3"))
    s = settings_of(own_broker)
    run = uuid.uuid4().hex[:8]
    ids = [f"ord-{run}-{i}" for i in range(30)]
    publish_values(s, [story(aid, n) for aid in ids for n in (1, 2, 3)])
    for pause in (3, 6):  # while the worker is sending: longer than its send timeout
        time.sleep(pause)
        os.kill(int(own_broker.pid_file.read_text()), signal.SIGSTOP)
        time.sleep(7)
        os.kill(int(own_broker.pid_file.read_text()), signal.SIGCONT)

    def last_per_key():
        seq = keyed(read_topic(s, s.topics.enriched), f"ord-{run}-")
        last = {}
        for k, v in seq:
            last[k] = revision(v)
        return (seq, last) if all(last.get(aid) == 3 for aid in ids) else None

    seq, last = wait_until(last_per_key, 180, interval=3, what="revision 3 as every story's last record")
    regressions, seen = 0, {}
    for k, v in seq:
        n = revision(v)
        regressions += n < seen.get(k, 0)
        seen[k] = max(n, seen.get(k, 0))
    assert regressions == 0 and set(last.values()) == {3}


def test_a_storys_life_survives_worker_kills(own_broker, start_worker) -> None:
    env = pipeline_env(own_broker.bootstrap)
    s = settings_of(own_broker)
    aid = f"life-{uuid.uuid4().hex[:8]}"
    steps = [
        story(aid, 2, version=2),
        story(aid, 3, version=3),
        story(aid, 2, version=2),
        orjson.dumps({"id": aid, "pubstatus": "canceled", "version": 4}),
    ]
    for i, value in enumerate(steps):
        worker = start_worker(env)
        publish_values(s, [value])
        want = {0: [2], 1: [2, 3], 2: [2, 3], 3: [2, 3, None]}[i]

        def progressed(want: list[int | None] = want) -> list[int | None] | None:
            seen = [revision(v) for _, v in keyed(read_topic(s, s.topics.enriched), aid)]
            distinct = [n for j, n in enumerate(seen) if j == 0 or n != seen[j - 1]]  # replays repeat a copy
            return distinct if distinct == want else None

        wait_for(worker, progressed, 90, what=f"step {i}: enriched revisions {want}")
        if i == 0:  # /api/state shows which partitions the fetch loop reads; /api/flow where records go
            assert any(name.startswith("articles.raw-") for name in _state(worker)["flow"]["active"])
            flow = _state(worker, "flow")
            drained = {st["channel"] for st in flow["streams"] if st["draining"]}
            raw = {tp: chans for tp, chans in flow["delivers_to"].items() if tp.startswith("articles.raw-")}
            assert raw and all({c["channel"] for c in chans} <= drained for chans in raw.values())
        if i == 2:  # the stale v2 must have been seen and superseded, not just not yet read
            wait_for(
                worker,
                lambda w=worker: _state(w).get("stories", {}).get("superseded", 0) >= 1,
                90,
                what="v2 counted as superseded",
            )
            assert progressed() == [2, 3]
        os.killpg(worker.proc.pid, signal.SIGKILL)  # the machine dies: the next start restores the table
        worker.proc.wait(10)
    quotes = keyed(read_topic(s, s.topics.quotes), f"{aid}#")
    latest = {}
    for k, v in quotes:
        latest[k] = v
    assert {k for k, v in latest.items()} == {f"{aid}#0", f"{aid}#1"}
    assert all(v is None for v in latest.values()), "the kill leaves a tombstone on every quote key"
    v3_quotes = [orjson.loads(v) for k, v in quotes if v is not None and orjson.loads(v)["version"] == 3]
    assert {q["key"] for q in v3_quotes} == {f"{aid}#0", f"{aid}#1"}
    assert all(q["story_id"] == aid and q["speaker"]["name"] for q in v3_quotes)


def test_embargoed_story_waits_for_its_time_across_a_restart(own_broker, start_worker) -> None:
    env = pipeline_env(own_broker.bootstrap)
    s = settings_of(own_broker)
    aid = f"emb-{uuid.uuid4().hex[:8]}"
    worker = start_worker(env)
    # a new group starts at the topics' first offsets: the module's earlier articles come first, and
    # on a loaded machine they took longer than the embargo (the copy came in after it, never held)
    wait_caught_up(own_broker, env)
    lift = datetime.now(UTC) + timedelta(seconds=30)
    publish_values(s, [story(aid, 1, embargoed=lift.isoformat().replace("+00:00", "Z"))])
    wait_for(worker, lambda: _state(worker).get("stories", {}).get("held", 0) >= 1, 90, what="the copy held")
    assert not keyed(read_topic(s, s.topics.enriched), aid)
    worker.stop()
    worker = start_worker(env)
    records = wait_for(worker, lambda: keyed(read_topic(s, s.topics.enriched), aid), 90, what="the embargo lifted")
    assert time.time() >= lift.timestamp() - 1.5  # the timer ticks once a second
    assert revision(records[0][1]) == 1


def wait_caught_up(broker, env: dict[str, str], timeout: float = 120) -> None:
    """Until the worker group of `env` has committed every input record (no lag on raw, clean, parsed)."""
    from agents.metrics import LagProbe

    s = settings_of(broker)
    probe = LagProbe(s, env["WIRESTREAM_APP_ID"])
    inputs = [(t, p) for t in (s.topics.raw, s.topics.clean, s.topics.parsed) for p in range(s.partitions)]
    try:
        wait_until(lambda: sum(probe.measure(inputs).values()) == 0, timeout, what="the group caught up")
    finally:
        probe.close()


def wait_for(worker: Worker, predicate, timeout: float, what: str):
    """`wait_until`, saying on a timeout where the worker's copy stopped: the consumer's detailed
    flow (/api/flow: positions, commits, what holds each uncommitted record, the streams and the
    channels records are delivered to) and the stages' counts."""
    try:
        return wait_until(predicate, timeout, what=what)
    except AssertionError as exc:
        stages = _state(worker).get("stages")
        raise AssertionError(f"{exc}; flow {_state(worker, 'flow')}; stages {stages}") from None


def _state(worker: Worker, page: str = "state") -> dict:
    """The worker's /api/state (or another /api page: `flow`), or {} while it is not up."""
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{worker.web_port}/api/{page}", timeout=10) as r:
            return orjson.loads(r.read())
    except (OSError, ValueError):
        return {}


def readme_kcat_blocks() -> list[str]:
    """The shell commands under "A story's life on the topics" in the README, as a user copies them."""
    import re

    from tests.conftest import REPO

    text = (REPO / "README.md").read_text()
    section = text.split("## A story's life on the topics", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    commands, current = [], ""
    for line in block.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        current += line.rstrip("\\") + " " if line.endswith("\\") else line
        if not line.endswith("\\"):
            commands.append(current)
            current = ""
    return commands


def test_the_readme_kcat_commands_read_the_current_state(own_broker, start_worker) -> None:
    import subprocess

    s = settings_of(own_broker)
    run = uuid.uuid4().hex[:8]
    live, killed = f"live-{run}", f"killed-{run}"

    def copy(aid: str, **extra) -> bytes:
        body = (
            f"OSLO (Reuters) - The city opened a new harbour bath.\n\n"
            f"\u201cThe {aid} bath is open to everyone,\u201d said Marta Velasko, the city's spokeswoman."
        )
        return orjson.dumps({"id": aid, "headline": "Bath", "body": body, **extra})

    start_worker(pipeline_env(own_broker.bootstrap))
    publish_values(s, [copy(live), copy(killed)])
    wait_until(
        lambda: {k for k, _ in keyed(read_topic(s, s.topics.enriched), "")} >= {live, killed},
        120,
        what="both stories enriched",
    )
    publish_values(s, [orjson.dumps({"id": killed, "pubstatus": "canceled"})])
    wait_until(
        lambda: (killed, None) in keyed(read_topic(s, s.topics.enriched), killed), 60, what="the kill's tombstone"
    )
    stories_cmd, quotes_cmd = (c.replace("127.0.0.1:9092", own_broker.bootstrap) for c in readme_kcat_blocks())
    ids = subprocess.run(
        ["bash", "-o", "pipefail", "-c", stories_cmd], capture_output=True, text=True, timeout=60, check=True
    ).stdout.split()
    assert live in ids and killed not in ids
    said = subprocess.run(
        ["bash", "-o", "pipefail", "-c", quotes_cmd], capture_output=True, text=True, timeout=60, check=True
    ).stdout.splitlines()
    ours = [line for line in said if run in line]
    assert len(ours) == 1 and ours[0].startswith(f"Marta Velasko: The {live} bath is open to everyone"), ours


def test_a_worker_whose_broker_died_stops_within_its_grace_and_leaves_no_process(tmp_path) -> None:
    """The broker killed under a running worker, then SIGTERM to the worker's process group (a
    `docker stop` after the cluster went away): the stop cannot commit anything, yet it ends within
    its grace, and no NLP process outlives it."""
    from agents.worker import SHUTDOWN_GRACE_S
    from wirestream.localbroker import LocalBroker

    broker = LocalBroker(port=free_port(), data_dir=tmp_path / "kafka", quiet=True)
    broker.start()
    try:
        worker = Worker(pipeline_env(broker.bootstrap), tmp_path / "worker.log").start()
        wait_until(lambda: "[^Worker]: Ready" in worker.log(), 180, what="the worker ready")
        broker.kill()
        time.sleep(3)  # the worker has noticed: its connections are refused
        assert worker.proc is not None
        began = time.monotonic()
        os.killpg(worker.proc.pid, signal.SIGTERM)
        assert worker.proc.wait(SHUTDOWN_GRACE_S + 60) == 0
        assert time.monotonic() - began < SHUTDOWN_GRACE_S + 20
        wait_until(lambda: not _group_alive(worker.proc.pid), 15, what="every process of the group gone")
    finally:
        broker.stop()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
