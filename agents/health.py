"""Is this worker making progress? The readiness verdict behind `/readyz`.

A Faust worker can look alive (its web port answers, its consumer heartbeats)
while one of its partitions has stopped: an agent that crashed and never
acked, a commit that never happens ("has not committed TP since worker
start"). Readiness therefore watches what users rely on: for every partition
assigned to this worker, the group's committed offset must advance whenever
there is lag. The lag timer feeds measurements in (`observe`), `/readyz`
asks for the verdict (`readiness`). No Faust here: plain data, testable alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from agents.metrics import TP, PartitionOffsets

STALL_AFTER_S = 300.0  # the Prometheus alert WirestreamPartitionStalled uses the same 5 minutes
STALE_AFTER_S = 60.0  # offsets older than this cannot vouch for progress (broker unreachable?)


def stall_window(article_timeout_s: float, session_timeout_s: float) -> float:
    """Longest quiet time of a healthy partition: a stuck article's budget and a rebalance fit in it twice."""
    return max(STALL_AFTER_S, 2 * (article_timeout_s + session_timeout_s))


@dataclass(slots=True)
class PartitionWatch:
    """The last measurement of one partition and when it last showed progress (or had nothing to do)."""

    offsets: PartitionOffsets
    progressed_at: float


@dataclass(frozen=True, slots=True)
class Readiness:
    """The verdict and its reason, as `/readyz` returns it (200 when ready, 503 otherwise)."""

    ready: bool
    reason: str
    partitions: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def status(self) -> int:
        return 200 if self.ready else 503

    def body(self) -> dict[str, Any]:
        return {"ready": self.ready, "reason": self.reason, "partitions": self.partitions}


class Progress:
    """Committed offsets per partition over time, from the lag timer's measurements."""

    def __init__(
        self,
        stall_after_s: float = STALL_AFTER_S,
        stale_after_s: float = STALE_AFTER_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stall_after_s, self.stale_after_s, self.clock = stall_after_s, stale_after_s, clock
        self.watches: dict[TP, PartitionWatch] = {}
        self.measured_at: float | None = None
        self.last_error: str | None = None

    def observe(self, offsets: Mapping[TP, PartitionOffsets]) -> None:
        """Take one measurement: a partition progressed if its position moved, or it has no lag."""
        now = self.clock()
        watches = {}
        for tp, current in offsets.items():
            before = self.watches.get(tp)
            if before is None or current.position != before.offsets.position or current.lag == 0:
                watches[tp] = PartitionWatch(current, now)
            else:
                watches[tp] = PartitionWatch(current, before.progressed_at)
        self.watches, self.measured_at, self.last_error = watches, now, None

    def failed(self, error: str) -> None:
        """A measurement failed; the previous one ages until `stale_after_s` makes it unusable."""
        self.last_error = error

    def readiness(self, assigned: Collection[TP]) -> Readiness:
        """Ready when partitions are assigned, measured recently, and none stalls with lag."""
        now = self.clock()
        if not assigned:
            return Readiness(
                False,
                "no partitions assigned to this worker (joining the group, rebalancing, "
                "or more workers than partitions)",
            )
        if self.measured_at is None:
            return Readiness(False, "waiting for the first measurement of committed offsets")
        age = now - self.measured_at
        if age > self.stale_after_s:
            return Readiness(
                False, f"committed offsets not measured for {age:.0f}s ({self.last_error or 'no measurement since'})"
            )
        view = {f"{t}/{p}": self._describe(w, now) for (t, p), w in sorted(self.watches.items()) if (t, p) in assigned}
        stalled = [name for name, info in view.items() if info["stalled"]]
        if stalled:
            worst = max(stalled, key=lambda name: view[name]["seconds_without_progress"])
            info = view[worst]
            return Readiness(
                False,
                f"no progress on {', '.join(stalled)}: {worst} has lag {info['lag']} and its "
                f"committed offset {info['committed']} has not moved for "
                f"{info['seconds_without_progress']:.0f}s",
                view,
            )
        return Readiness(True, "ok", view)

    def _describe(self, watch: PartitionWatch, now: float) -> dict[str, Any]:
        quiet = now - watch.progressed_at
        return {
            "committed": watch.offsets.position,
            "end": watch.offsets.end,
            "lag": watch.offsets.lag,
            "seconds_without_progress": round(quiet, 1),
            "stalled": watch.offsets.lag > 0 and quiet > self.stall_after_s,
        }
