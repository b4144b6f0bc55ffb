"""One chaos run: a broker, a group of workers, the copy published in chunks with a fault after each.

Faults (each lands while the group works on the chunk just published; the next
chunk waits until the group has no lag, so each stuck stretch has one cause):

* `kill`: SIGKILL of one worker's whole process group while a peer stays live
  (its partitions move after the session timeout); `term`: the same with a
  graceful SIGTERM. Either is followed, one chunk later, by `join`: a fresh
  worker enters the group (a rebalance with live members).
* `stall`: the broker's JVM stopped with SIGSTOP for `stall_s` (longer than the
  workers' send timeout), then continued.
* `broker`: a clean broker restart, workers left running.

The run then waits until every copy is accounted for and the group has no
lag, and reads both output topics once more for the tally and the order check.
"""

from __future__ import annotations

import random
import shutil
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import Settings
from tools.chaos import articles as copy
from tools.chaos.accounting import OrderTally, Tally
from tools.chaos.kafka_io import output_count, publish, read_outcomes
from tools.chaos.outcomes import Outcome, order_of, tally_outcomes
from tools.chaos.plan import DEPARTURES, ChaosConfig, plan_chunks, plan_faults
from tools.chaos.processes import Group, WorkerProcess, frozen
from tools.chaos.progress import ProgressMonitor, Stuck


@dataclass
class ChaosReport:
    config: dict[str, Any]
    tally: Tally
    poison: Tally
    order: OrderTally
    no_progress: dict[str, Stuck | None]
    no_progress_bound_s: float
    broker_outage_s: float
    events: list[dict[str, Any]]
    seconds: float
    worker_peak_rss_mb: float
    worker_peak_tree_mb: float
    worker_starts: int
    worker_unexpected_exits: list[int]
    faust_restarts: list[int]  # exit codes of Faust workers their supervisor restarted
    drained: bool
    monitor_polls: int = 0
    monitor_failed_polls: int = 0
    monitor_last_error: str | None = None

    @property
    def longest_no_progress_s(self) -> float:
        return max((s.seconds for s in self.no_progress.values() if s is not None), default=0.0)

    @property
    def ok(self) -> bool:
        return (
            self.drained
            and self.tally.ok
            and self.order.violations == 0
            and not self.worker_unexpected_exits
            and self.longest_no_progress_s <= self.no_progress_bound_s
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["longest_no_progress_s"] = self.longest_no_progress_s
        d["ok"] = self.ok
        return d


def _say(message: str, quiet: bool = False) -> None:
    if not quiet:
        print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class _Run:
    """The state one run threads through its steps."""

    cfg: ChaosConfig
    rng: random.Random
    settings: Settings
    broker: Any
    group: Group
    t0: float = field(default_factory=time.monotonic)
    events: list[dict[str, Any]] = field(default_factory=list)
    sent: list[copy.Planned] = field(default_factory=list)
    base: int = 0
    outage_s: float = 0.0
    joining: WorkerProcess | None = None

    def note(self, kind: str, **info: Any) -> None:
        self.events.append({"t": round(time.monotonic() - self.t0, 1), "event": kind, **info})
        _say(f"{kind} {info if info else ''}", self.cfg.quiet)

    def send(self, chunk: list[copy.Planned]) -> None:
        self.base = output_count(self.settings)
        publish(self.settings, [(p.id, p.value) for p in chunk])
        self.sent.extend(chunk)
        self.note("published", count=len(chunk), total=len(self.sent))

    def wait_progress(self, timeout: float = 120) -> bool:
        """Until the group has started on the chunk just published, so the fault lands on live work."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.group.check()
            if output_count(self.settings) > self.base:
                return True
            time.sleep(0.2)
        return False

    def prepare_join(self, timeout: float = 240.0) -> None:
        """Start the next worker and wait until its model is loaded and Faust is starting, so the
        chunk published next is in flight when the newcomer joins the group (a rebalance under load)."""
        self.joining = self.group.add()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not self.joining.starting():
            self.group.check()
            time.sleep(0.2)

    def fault(self, kind: str) -> None:
        busy = self.wait_progress() if kind != "join" else True
        time.sleep(self.rng.uniform(0.0, 1.5))
        if kind in DEPARTURES:
            victim = self.rng.choice(self.group.live)
            sig = signal.SIGKILL if kind == "kill" else signal.SIGTERM
            code = self.group.remove(victim, sig)
            self.note(
                f"worker_sig{kind}", worker=victim.name, exit_code=code, mid_stream=busy, live=len(self.group.live)
            )
        elif kind == "join":
            worker = self.joining or self.group.add()
            self.joining = None
            ready = self.group.wait_ready([worker])
            self.note("worker_joined", worker=worker.name, ready=ready, live=len(self.group.live))
        elif kind == "stall":
            pid = self.broker.status()["pid"]
            self.note("broker_sigstop", mid_stream=busy, seconds=self.cfg.stall_s)
            with frozen(pid):
                time.sleep(self.cfg.stall_s)
            self.outage_s = max(self.outage_s, self.cfg.stall_s)
            self.note("broker_sigcont")
        else:
            self.note("broker_restart_begin", mid_stream=busy)
            began = time.monotonic()
            self.broker.restart()
            self.outage_s = max(self.outage_s, time.monotonic() - began)
            self.note("broker_restart_done", seconds=round(time.monotonic() - began, 1))

    def settle(self, monitor: ProgressMonitor, timeout: float = 180.0) -> None:
        """Until the group has no lag: the next fault then starts from a recovered pipeline, so
        each stuck stretch belongs to one fault and the no-progress bound can be checked per fault."""
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            self.group.check()
            if monitor.lag == 0:
                self.note("settled", seconds=round(time.monotonic() - began, 1))
                return
            time.sleep(0.5)
        self.note("settle_timeout", lag=monitor.lag)

    def warm_up(self) -> None:
        """One article through the whole group before the clock starts: models loaded, partitions assigned."""
        if not self.group.wait_ready(self.group.live):
            raise RuntimeError(f"workers not ready:\n{self.group.log_tails()}")
        warm = copy.singles(1, f"warm-{uuid.uuid4().hex[:6]}", self.cfg.seed)[0]
        base = output_count(self.settings)
        publish(self.settings, [(warm.id, warm.value)])
        deadline = time.monotonic() + 240
        while output_count(self.settings) <= base:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the warm-up article never came out:\n{self.group.log_tails()}")
            self.group.check()
            time.sleep(0.5)
        self.note("workers_ready", live=len(self.group.live))

    def drain(self, monitor: ProgressMonitor) -> tuple[bool, list[Outcome], list[Outcome]]:
        """Until every copy is accounted for and the group has no lag left (replays done too)."""
        deadline = time.monotonic() + self.cfg.drain_timeout
        enriched: list[Outcome] = []
        dead: list[Outcome] = []
        while time.monotonic() < deadline:
            self.group.check()
            enriched, dead = read_outcomes(self.settings)
            lost = tally_outcomes(self.sent, enriched, dead)[0].lost
            if lost == 0 and monitor.lag == 0:
                enriched, dead = read_outcomes(self.settings)
                self.note("drained")
                return True, enriched, dead
            time.sleep(3)
        self.note("drain_timeout", lag=monitor.lag)
        return False, enriched, dead


def run_chaos(cfg: ChaosConfig) -> ChaosReport:
    from agents.clients import ensure_topics
    from wirestream.localbroker import LocalBroker, free_port

    if (cfg.kills or cfg.term_restarts) and cfg.workers < 2:
        raise ValueError("a worker is only killed while a peer stays live: --workers must be at least 2")
    rng = random.Random(cfg.seed)
    run_id = f"chaos{cfg.seed}-{uuid.uuid4().hex[:6]}"
    faults = plan_faults(cfg, rng)
    chunks = plan_chunks(cfg, run_id, len(faults), rng)
    own_dir = cfg.data_dir is None
    data_dir = Path(cfg.data_dir or tempfile.mkdtemp(prefix="wirestream-chaos-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    broker = LocalBroker(port=free_port(), data_dir=data_dir / "broker", quiet=cfg.quiet)
    settings = Settings.from_env(
        {"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap, "WIRESTREAM_MAX_BODY_CHARS": str(cfg.max_body_chars)}
    )
    group = Group(broker.bootstrap, cfg.worker_overrides(), data_dir)
    state = _Run(cfg, rng, settings, broker, group)
    monitor: ProgressMonitor | None = None
    try:
        broker.start()
        ensure_topics(settings)
        for _ in range(cfg.workers):
            group.add()
        state.warm_up()
        t = settings.topics
        monitor = ProgressMonitor(settings, group.app_id, [t.raw, t.clean, t.parsed]).start()
        for i, chunk in enumerate(chunks):
            if i:
                state.settle(monitor)
            if i < len(faults) and faults[i] == "join":
                state.prepare_join()
            state.send(chunk)
            if i < len(faults):
                state.fault(faults[i])
        drained, enriched, dead = state.drain(monitor)
        monitor.stop()
        tally, poison = tally_outcomes(state.sent, enriched, dead)
        return ChaosReport(
            config={k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(cfg).items()},
            tally=tally,
            poison=poison,
            order=order_of(state.sent, enriched),
            no_progress=monitor.longest(),
            no_progress_bound_s=cfg.no_progress_bound(state.outage_s),
            broker_outage_s=round(state.outage_s, 1),
            events=state.events,
            seconds=round(time.monotonic() - state.t0, 1),
            worker_peak_rss_mb=round(max(w.peak_rss_kb for w in group.ever) / 1024, 1),
            worker_peak_tree_mb=round(max(w.peak_tree_kb for w in group.ever) / 1024, 1),
            worker_starts=sum(w.starts for w in group.ever),
            worker_unexpected_exits=[c for w in group.ever for c in w.unexpected_exits],
            faust_restarts=[c for w in group.ever for c in w.faust_restarts()],
            drained=drained,
            monitor_polls=monitor.polls,
            monitor_failed_polls=monitor.failed_polls,
            monitor_last_error=monitor.last_error,
        )
    except BaseException:
        print(group.log_tails(), file=sys.stderr)
        raise
    finally:
        if monitor is not None:
            monitor.stop()
        group.close()
        broker.stop()
        if own_dir and not cfg.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
