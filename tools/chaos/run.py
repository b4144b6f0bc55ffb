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
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from pipeline.config import Settings
from tools.chaos import articles as copy
from tools.chaos.accounting import OrderTally, Tally, account, check_order
from tools.chaos.kafka_io import Outcome, output_count, publish, read_outcomes
from tools.chaos.processes import WorkerProcess, frozen, worker_env
from tools.chaos.progress import ProgressMonitor, Stuck

DEPARTURES = ("kill", "term")
# What the no-progress bound allows on top of the article budget, the session timeout and the
# longest broker outage: Faust's commit interval (1 s), one poll of the monitor (0.5 s) and one
# batch of ordinary articles on a loaded 2-core machine (~1.5 s).
NO_PROGRESS_SLACK_S = 3.0


@dataclass
class ChaosConfig:
    articles: int = 600           # single articles (about 7% bad input on purpose)
    stories: int = 30             # stories published as `revisions` successive copies
    revisions: int = 3
    poison_rounds: int = 2        # copies of each poison kind
    fault_hooks: bool = True      # poison through WIRESTREAM_FAULT_HOOKS (raise, hang, crash)
    workers: int = 2              # workers in the group at the start
    kills: int = 1                # SIGKILL of one worker with a live peer, a fresh one joins later
    term_restarts: int = 0        # the same with a graceful SIGTERM
    stalls: int = 2               # SIGSTOP/SIGCONT of the broker
    stall_s: float = 7.0
    broker_restarts: int = 1
    article_timeout_s: float = 5.0
    send_timeout_s: float = 3.0
    session_timeout_s: float = 10.0
    max_body_chars: int = 500_000
    seed: int = 1
    chunks: int = 10
    drain_timeout: float = 600.0
    data_dir: Path | None = None
    keep: bool = False
    quiet: bool = False

    @classmethod
    def small(cls, **overrides: Any) -> ChaosConfig:
        """Every fault once over little copy: the configuration of tests/integration/test_chaos.py."""
        return replace(cls(articles=60, stories=8, poison_rounds=1, kills=1, stalls=1, broker_restarts=1,
                           chunks=5, drain_timeout=240.0), **overrides)

    def worker_overrides(self) -> dict[str, str]:
        env = {"WIRESTREAM_ARTICLE_TIMEOUT": str(self.article_timeout_s),
               "WIRESTREAM_SEND_TIMEOUT": str(self.send_timeout_s),
               "WIRESTREAM_SESSION_TIMEOUT": str(self.session_timeout_s),
               "WIRESTREAM_MAX_BODY_CHARS": str(self.max_body_chars)}
        if self.fault_hooks:
            env["WIRESTREAM_FAULT_HOOKS"] = copy.fault_hooks_env()
        return env

    def no_progress_bound(self, broker_outage_s: float) -> float:
        """The longest a partition with lag may go without progress: budget + session timeout + outage."""
        return round(self.article_timeout_s + self.session_timeout_s + broker_outage_s + NO_PROGRESS_SLACK_S, 1)


def plan_faults(cfg: ChaosConfig, rng: random.Random) -> list[str]:
    """The faults in run order: shuffled, each departure followed by a join."""
    faults = (["kill"] * cfg.kills + ["term"] * cfg.term_restarts + ["stall"] * cfg.stalls
              + ["broker"] * cfg.broker_restarts)
    rng.shuffle(faults)
    out: list[str] = []
    for fault in faults:
        out += [fault, "join"] if fault in DEPARTURES else [fault]
    return out


def plan_chunks(cfg: ChaosConfig, run: str, n_faults: int, rng: random.Random) -> list[list[copy.Planned]]:
    """Everything to publish, in chunks: one before each fault and one after the last."""
    singles = copy.singles(cfg.articles, run, cfg.seed)
    stories = copy.stories(cfg.stories, run, cfg.revisions, cfg.seed)
    poisons = copy.poisons(cfg.poison_rounds, run, cfg.max_body_chars, cfg.seed, hooks=cfg.fault_hooks)
    return copy.interleave(singles, stories, poisons, max(cfg.chunks, n_faults + 1), rng)


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
    faust_restarts: list[int]     # exit codes of Faust workers their supervisor restarted
    drained: bool
    monitor_polls: int = 0
    monitor_failed_polls: int = 0
    monitor_last_error: str | None = None

    @property
    def longest_no_progress_s(self) -> float:
        return max((s.seconds for s in self.no_progress.values() if s is not None), default=0.0)

    @property
    def ok(self) -> bool:
        return (self.drained and self.tally.ok and self.order.violations == 0 and not self.worker_unexpected_exits
                and self.longest_no_progress_s <= self.no_progress_bound_s)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["longest_no_progress_s"] = self.longest_no_progress_s
        d["ok"] = self.ok
        return d


class Group:
    """The workers of one consumer group: who is live, who ever ran."""

    def __init__(self, bootstrap: str, env: dict[str, str], log_dir: Path) -> None:
        self.bootstrap, self.env, self.log_dir = bootstrap, env, log_dir
        self.app_id = f"wirestream-chaos-{uuid.uuid4().hex[:6]}"
        self.live: list[WorkerProcess] = []
        self.ever: list[WorkerProcess] = []

    def add(self) -> WorkerProcess:
        name = f"worker{len(self.ever) + 1}"
        worker = WorkerProcess(worker_env(self.bootstrap, self.app_id, **self.env),
                               self.log_dir / f"{name}.log", name)
        worker.start()
        self.live.append(worker)
        self.ever.append(worker)
        return worker

    def remove(self, worker: WorkerProcess, sig: signal.Signals) -> int | None:
        self.live.remove(worker)
        code = worker.signal(sig)
        worker.close()
        return code

    def check(self) -> None:
        for worker in self.live:
            worker.check()

    def wait_ready(self, workers: list[WorkerProcess], timeout: float = 240.0) -> bool:
        """Until each of `workers` logged Faust's "Ready" since its last start (model loaded, agents up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check()
            if all(w.ready() for w in workers):
                return True
            time.sleep(0.5)
        return False

    def close(self) -> None:
        for worker in self.live:
            worker.close()
        for worker in self.ever:
            worker.close()

    def log_tails(self) -> str:
        return "\n".join(f"--- {w.name} log tail ---\n{w.log_tail()}" for w in self.ever)


def _say(message: str, quiet: bool = False) -> None:
    if not quiet:
        print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def tally_outcomes(planned: list[copy.Planned], enriched: list[Outcome], dead: list[Outcome]) -> tuple[Tally, Tally]:
    """The tally of every copy sent, and the tally of the poison copies alone."""
    newer = later_revisions(planned)

    def tally(items: list[copy.Planned]) -> Tally:
        return account([p.copy for p in items],
                       [(copy.copy_key(o.id or "", o.revision), o.content_hash) for o in enriched],
                       [(copy.copy_key(o.id or "", o.revision), o.reason or "") for o in dead],
                       {p.copy: p.expected for p in items}, newer)
    return tally(planned), tally([p for p in planned if p.kind == "poison"])


def later_revisions(planned: list[copy.Planned]) -> dict[str, list[str]]:
    """Each story revision's copy key -> the copy keys of the same story's later revisions."""
    revisions: dict[str, set[int]] = defaultdict(set)
    for p in planned:
        if p.revision:
            revisions[p.id].add(p.revision)
    return {copy.copy_key(sid, r): [copy.copy_key(sid, n) for n in sorted(rs) if n > r]
            for sid, rs in revisions.items() for r in rs}


def order_of(planned: list[copy.Planned], enriched: list[Outcome]) -> OrderTally:
    """Per-story order on the enriched topic, against the newest revision sent of each story."""
    latest: dict[str, int] = {}
    for p in planned:
        if p.revision:
            latest[p.id] = max(latest.get(p.id, 0), p.revision)
    outputs: dict[str, list[int]] = defaultdict(list)
    for o in enriched:
        if o.id in latest:
            outputs[o.id].append(o.revision)
    return check_order(outputs, latest)


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
            self.note(f"worker_sig{kind}", worker=victim.name, exit_code=code, mid_stream=busy,
                      live=len(self.group.live))
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
    data_dir = Path(tempfile.mkdtemp(prefix="wirestream-chaos-")) if own_dir else Path(cfg.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    broker = LocalBroker(port=free_port(), data_dir=data_dir / "broker", quiet=cfg.quiet)
    settings = Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
                                  "WIRESTREAM_MAX_BODY_CHARS": str(cfg.max_body_chars)})
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
            tally=tally, poison=poison, order=order_of(state.sent, enriched),
            no_progress=monitor.longest(), no_progress_bound_s=cfg.no_progress_bound(state.outage_s),
            broker_outage_s=round(state.outage_s, 1), events=state.events,
            seconds=round(time.monotonic() - state.t0, 1),
            worker_peak_rss_mb=round(max(w.peak_rss_kb for w in group.ever) / 1024, 1),
            worker_peak_tree_mb=round(max(w.peak_tree_kb for w in group.ever) / 1024, 1),
            worker_starts=sum(w.starts for w in group.ever),
            worker_unexpected_exits=[c for w in group.ever for c in w.unexpected_exits],
            faust_restarts=[c for w in group.ever for c in w.faust_restarts()], drained=drained,
            monitor_polls=monitor.polls, monitor_failed_polls=monitor.failed_polls,
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
