"""Longest time any partition made no progress while it had lag.

A thread polls, every ~0.5 s with kafka-python, the worker group's committed
offsets and the end offsets of the topics it reads. A partition is stuck from
the first poll that sees lag until the poll that sees its committed offset
move (or the lag gone); the stretch is measured up to that poll, so it is an
upper bound (at most one poll interval too long, or one failed stretch of
polls while the broker is stopped). `PartitionClock` is the pure part.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipeline.config import Settings

POLL_S = 0.5
POLL_DEADLINE_S = 5.0


@dataclass(frozen=True, slots=True)
class Stuck:
    """A stretch without progress: partition, length, and when (seconds since the monitor started)."""

    topic: str
    partition: int
    seconds: float
    start: float
    end: float


class PartitionClock:
    """The no-progress clock of one partition."""

    def __init__(self, topic: str, partition: int) -> None:
        self.topic, self.partition = topic, partition
        self.committed: int | None = None
        self.since: float | None = None  # when the current stuck stretch began
        self.longest: Stuck | None = None

    def observe(self, t: float, committed: int | None, end: int) -> None:
        """One poll at time `t`: the committed offset (None before the first commit) and the end offset."""
        moved = committed != self.committed
        self.committed = committed
        lag = end - (committed or 0)
        if self.since is not None and (moved or lag <= 0):
            self._note(t)
            self.since = None
        if lag > 0 and self.since is None:
            self.since = t
        elif self.since is not None:
            self._note(t)

    def _note(self, t: float) -> None:
        assert self.since is not None
        if self.longest is None or t - self.since > self.longest.seconds:
            self.longest = Stuck(
                self.topic, self.partition, round(t - self.since, 2), round(self.since, 1), round(t, 1)
            )


def longest_per_topic(clocks: Sequence[PartitionClock]) -> dict[str, Stuck | None]:
    """The longest stuck stretch of each topic (None: never stuck)."""
    out: dict[str, Stuck | None] = {}
    for clock in clocks:
        best = out.get(clock.topic)
        if clock.topic not in out or (clock.longest and (best is None or clock.longest.seconds > best.seconds)):
            out[clock.topic] = clock.longest
    return out


class ProgressMonitor:
    """Polls the group's committed offsets against the end offsets of `topics` on a thread."""

    def __init__(self, settings: Settings, group: str, topics: Sequence[str], interval: float = POLL_S) -> None:
        self.settings, self.group, self.topics, self.interval = settings, group, list(topics), interval
        self.clocks: dict[tuple[str, int], PartitionClock] = {}
        self.lag: int | None = None  # total lag at the last good poll
        self.polls = self.failed_polls = 0
        self.last_error: str | None = None
        self._t0 = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="chaos-progress", daemon=True)
        self._clients: tuple[object, object] | None = None

    def start(self) -> ProgressMonitor:
        self._t0 = time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    def longest(self) -> dict[str, Stuck | None]:
        return longest_per_topic(list(self.clocks.values()))

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._observe(*self._read_within(POLL_DEADLINE_S))
                self.polls += 1
            except Exception as exc:  # noqa: BLE001 - broker stopped or restarting: the clocks keep running
                self.failed_polls += 1
                self.last_error = f"{type(exc).__name__}: {exc}"
                self._close_clients()
        self._close_clients()

    def _read_within(self, deadline: float) -> tuple[float, dict, dict]:
        """`_read` on a helper thread, given up after `deadline` s: a kafka-python call can wait
        without end for a broker that was stopped mid-request; its clients are then abandoned."""
        box: dict[str, Any] = {}
        done = threading.Event()

        def read() -> None:
            try:
                box["result"] = self._read()
            except Exception as exc:  # noqa: BLE001 - handed to the monitor thread
                box["error"] = exc
            finally:
                done.set()

        threading.Thread(target=read, name="chaos-progress-read", daemon=True).start()
        if not done.wait(deadline):
            self._clients = None  # left to the hung thread; fresh clients next poll
            raise TimeoutError(f"offsets not read within {deadline:.0f} s")
        if "error" in box:
            raise box["error"]
        return box["result"]

    def _read(self) -> tuple[float, dict, dict]:
        """(time, committed offset or None per partition, end offset per partition)."""
        from kafka import TopicPartition

        admin, consumer = self._connect()
        tps = [TopicPartition(t, p) for t in self.topics for p in sorted(consumer.partitions_for_topic(t) or ())]
        ends = consumer.end_offsets(tps, timeout_ms=3000)
        committed = admin.list_group_offsets({self.group: tps}).get(self.group, {})
        offsets = {
            tp: (m.offset if m is not None and m.offset >= 0 else None) for tp in tps for m in [committed.get(tp)]
        }
        return time.monotonic() - self._t0, offsets, ends

    def _observe(self, t: float, committed: dict, ends: dict) -> None:
        lag = 0
        for tp, offset in committed.items():
            clock = self.clocks.setdefault((tp.topic, tp.partition), PartitionClock(tp.topic, tp.partition))
            clock.observe(t, offset, ends[tp])
            lag += ends[tp] - (offset or 0)
        self.lag = lag

    def _connect(self) -> tuple:
        if self._clients is None:
            from kafka import KafkaAdminClient, KafkaConsumer

            from agents.security import kafka_python_options

            opts = {**kafka_python_options(self.settings), "request_timeout_ms": 3000}
            admin = KafkaAdminClient(client_id="chaos-progress", **opts)
            try:
                consumer = KafkaConsumer(group_id=None, enable_auto_commit=False, **opts)
            except Exception:
                admin.close()
                raise
            self._clients = (admin, consumer)
        return self._clients

    def _close_clients(self) -> None:
        clients, self._clients = self._clients, None
        for client in clients or ():
            with contextlib.suppress(Exception):  # closing a client of a dead broker
                client.close()  # type: ignore[attr-defined]
