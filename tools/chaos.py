"""Fault harness: publish articles, crash things, prove nothing was lost.

    python -m tools.chaos --articles 1000 --kills 3 --broker-restarts 1 --seed 7
    python -m tools.chaos --burst 3000           # load: one burst, drain rate and peak RSS

A run starts its own Kafka broker (free port, fresh data dir), runs
`python -m wirestream worker` subprocesses, publishes the articles in chunks
between faults (SIGKILL of the worker at random moments once it is making
progress, then a restart; one clean broker restart with the worker left
running), waits until every id sent is accounted for in `articles.enriched`
or `articles.deadletter` (or a timeout), and prints a table::

    sent  enriched  dead-lettered  lost  duplicated

Delivery is at-least-once, so SIGKILL legitimately produces duplicates (work
done but not yet committed is done again); `lost` must be 0. Duplicates are
harmless when they carry the same `processing.content_hash`, which the table
checks too ("conflicting duplicates").

The broker-free parts (article generation, `account`, the table) are plain
functions so tests can call them without Kafka.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import orjson

from pipeline.config import Settings

REPO = Path(__file__).resolve().parents[1]

# ── made-up wire copy ────────────────────────────────────────────────────────

_FIRST = ["Marta", "Jonas", "Aiko", "Tomasz", "Leila", "Oskar", "Ines", "Rafael", "Nadia", "Pieter",
          "Selin", "Duarte", "Freya", "Kofi", "Ilse", "Mateo"]
_LAST = ["Velasko", "Brandt", "Okafor", "Lindqvist", "Moreau", "Haddad", "Kowalczyk", "Serrano",
         "Achterberg", "Nakamura", "Ferreira", "Dimitrov", "Halvorsen", "Mensah"]
_CITIES = ["LISBON", "OSLO", "NAIROBI", "MONTEVIDEO", "TALLINN", "OSAKA", "ACCRA", "GDANSK", "PORTO"]
_ORGS = ["the port authority", "the national rail company", "the finance ministry", "the city council",
         "the fisheries board", "the central bank", "the water utility", "the teachers' union"]
_ROLES = ["spokeswoman", "spokesman", "chief executive", "deputy minister", "mayor", "chair"]
_TOPICS = ["a new ferry route", "a freeze on bus fares", "repairs to the northern dam",
           "a plan to rebuild the harbour wall", "longer opening hours for clinics",
           "a tender for electric trams", "cuts to the herring quota"]
_SAYS = ["We expect the work to finish before the winter storms",
         "Nobody should pay more because the budget was badly planned",
         "This is the cheapest option we have seen in ten years",
         "The first results will be visible within a few months",
         "We listened to the families who wrote to us"]
_FILLER = ["Officials did not give a cost estimate.", "The opposition said it would study the details.",
           "Similar measures were tried in the region a decade ago.",
           "Local businesses welcomed the decision, according to a trade group.",
           "The proposal still needs the approval of parliament."]

BAD_EMPTY_EVERY = 23      # whitespace-only body: dead-lettered as empty_body
BAD_TYPE_EVERY = 37       # body is a number: dead-lettered as schema_invalid


def made_up_article(i: int, run: str, rng: random.Random) -> tuple[str, bytes, str]:
    """One article (id, JSON value, expected outcome: 'enriched' or a dead-letter reason)."""
    aid = f"{run}-{i:05d}"
    if i % BAD_EMPTY_EVERY == BAD_EMPTY_EVERY - 1:
        return aid, orjson.dumps({"id": aid, "headline": "Blank copy", "body": " \n\t "}), "empty_body"
    if i % BAD_TYPE_EVERY == BAD_TYPE_EVERY - 1:
        return aid, orjson.dumps({"id": aid, "headline": "Wrong type", "body": i}), "schema_invalid"
    name = lambda: f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    speaker, other, reporter, editor = name(), name(), name(), name()
    city, org, topic = rng.choice(_CITIES), rng.choice(_ORGS), rng.choice(_TOPICS)
    paragraphs = [
        f"{city} (Wirestream) - {org.capitalize()} announced {topic} on Tuesday, after months of talks.",
        f"\u201c{rng.choice(_SAYS)},\u201d {speaker}, the {rng.choice(_ROLES)}, told reporters.",
        f"{other} said the decision was overdue and that {org} had waited too long.",
        *rng.sample(_FILLER, k=rng.randint(1, 4)),
        f"Reporting by {reporter}; Editing by {editor}",
    ]
    value = orjson.dumps({"id": aid, "headline": f"{org.capitalize()} backs {topic}",
                          "body": "\n\n".join(paragraphs), "source": "chaos",
                          "published_at": "2026-11-25T10:00:00Z"})
    return aid, value, "enriched"


def make_articles(n: int, run: str, seed: int) -> list[tuple[str, bytes, str]]:
    rng = random.Random(seed)
    return [made_up_article(i, run, rng) for i in range(n)]


# ── accounting: a pure function over ids ─────────────────────────────────────


@dataclass
class Tally:
    sent: int
    enriched: int            # ids with at least one enriched record
    dead_lettered: int       # ids with a dead letter and no enriched record
    lost: int                # ids with neither
    duplicated: int          # records beyond the first per id and topic
    duplicated_ids: int      # ids with more than one record
    conflicting: int         # ids whose enriched copies carry different content hashes
    both: int                # ids that were enriched AND dead-lettered
    wrong_outcome: int       # ids whose outcome differs from the expected one (when given)
    lost_ids: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.conflicting == 0 and self.wrong_outcome == 0


def account(sent: Iterable[str], enriched: Iterable[tuple[str, str | None]],
            dead: Iterable[tuple[str | None, str]], expected: dict[str, str] | None = None) -> Tally:
    """Compare what went in with what came out.

    `sent` are the acknowledged ids; `enriched` is (id, content_hash) per
    enriched record; `dead` is (id, reason) per dead letter. Records of ids
    that were not sent (another run, unreadable ids) are ignored. `expected`
    maps an id to 'enriched' or the dead-letter reason it should get.
    """
    sent_ids = set(sent)
    hashes: dict[str, set[str | None]] = defaultdict(set)
    n_enriched: Counter[str] = Counter()
    for aid, digest in enriched:
        if aid in sent_ids:
            n_enriched[aid] += 1
            hashes[aid].add(digest)
    n_dead: Counter[str] = Counter()
    reasons: dict[str, set[str]] = defaultdict(set)
    for aid, reason in dead:
        if aid in sent_ids:
            n_dead[aid] += 1
            reasons[aid].add(reason)
    lost = sorted(sent_ids - set(n_enriched) - set(n_dead))
    wrong = 0
    for aid, want in (expected or {}).items():
        if aid not in sent_ids or aid in lost:
            continue
        got = {"enriched"} if aid in n_enriched else set()
        got |= reasons.get(aid, set())
        if got != {want}:
            wrong += 1
    extra = sum(n - 1 for n in n_enriched.values()) + sum(n - 1 for n in n_dead.values())
    dup_ids = {a for a, n in n_enriched.items() if n > 1} | {a for a, n in n_dead.items() if n > 1}
    return Tally(
        sent=len(sent_ids),
        enriched=len(n_enriched),
        dead_lettered=len(set(n_dead) - set(n_enriched)),
        lost=len(lost),
        duplicated=extra,
        duplicated_ids=len(dup_ids),
        conflicting=sum(1 for h in hashes.values() if len(h) > 1),
        both=len(set(n_enriched) & set(n_dead)),
        wrong_outcome=wrong,
        lost_ids=lost[:20],
    )


def dedupe(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """What a consumer does with at-least-once output: keep the first record per (id, content_hash)."""
    seen: set[tuple[str, str | None]] = set()
    out = []
    for r in records:
        key = (r["id"], (r.get("processing") or {}).get("content_hash"))
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def table(tally: Tally, title: str, extra: Sequence[tuple[str, str]] = ()) -> Any:
    """A rich table of the tally (plus extra rows such as peak RSS)."""
    from rich.table import Table

    t = Table(title=title, min_width=48)
    t.add_column("measure")
    t.add_column("value", justify="right")
    rows = [("sent", tally.sent), ("enriched", tally.enriched), ("dead-lettered", tally.dead_lettered),
            ("lost", tally.lost), ("duplicated (extra records)", tally.duplicated),
            ("conflicting duplicates", tally.conflicting), ("wrong outcome", tally.wrong_outcome)]
    for name, value in [*rows, *extra]:
        style = "bold red" if name in ("lost", "conflicting duplicates", "wrong outcome") and value else None
        t.add_row(name, str(value), style=style)
    return t


# ── processes ────────────────────────────────────────────────────────────────


def read_outcomes(settings: Settings) -> tuple[list[tuple[str, str | None]], list[tuple[str | None, str]]]:
    """(id, content_hash) of every enriched record and (id, reason) of every dead letter."""
    t = settings.topics
    values = read_topics(settings.bootstrap_servers, [t.enriched, t.deadletter])
    enriched = [(v.get("id"), (v.get("processing") or {}).get("content_hash"))
                for v in map(orjson.loads, values[t.enriched])]
    dead = [(v.get("id"), v.get("reason")) for v in map(orjson.loads, values[t.deadletter])]
    return enriched, dead


# The harness talks to Kafka through aiokafka (the worker's own client), one
# short-lived client per call with a hard timeout: a broker restart mid-call
# then costs a retry, never a hung harness.


def _run(coro_fn: Any, *args: Any, timeout: float = 60.0, attempts: int = 5) -> Any:
    import asyncio

    last: BaseException | None = None
    for attempt in range(attempts):
        try:
            return asyncio.run(asyncio.wait_for(coro_fn(*args), timeout))
        except Exception as exc:  # noqa: BLE001 - broker restarting or briefly unreachable
            last = exc
            time.sleep(min(1.0 * 2 ** attempt, 8.0))
    raise RuntimeError(f"Kafka call {coro_fn.__name__} failed {attempts} times: {last!r}") from last


async def _partitions(consumer: Any, topics: list[str]) -> list[Any]:
    from aiokafka import TopicPartition

    metadata = await consumer._client.fetch_all_metadata()  # an unsubscribed consumer caches none
    return [TopicPartition(t, p) for t in topics for p in sorted(metadata.partitions_for_topic(t) or ())]


async def _read_topics(bootstrap: str, topics: list[str]) -> dict[str, list[bytes]]:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    try:
        await consumer.start()
        tps = await _partitions(consumer, topics)
        out: dict[str, list[bytes]] = {t: [] for t in topics}
        if not tps:
            return out
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        pending = {tp for tp in tps if ends[tp] > 0}
        while pending:
            batches = await consumer.getmany(*pending, timeout_ms=1000, max_records=5000)
            for tp, records in batches.items():
                out[tp.topic].extend(r.value for r in records)
            pending = {tp for tp in pending if await consumer.position(tp) < ends[tp]}
        return out
    finally:
        await consumer.stop()


async def _end_offsets_sum(bootstrap: str, topics: list[str]) -> int:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    try:
        await consumer.start()
        tps = await _partitions(consumer, topics)
        return sum((await consumer.end_offsets(tps)).values()) if tps else 0
    finally:
        await consumer.stop()


async def _publish(bootstrap: str, topic: str, items: list[tuple[str, bytes]]) -> int:
    from aiokafka import AIOKafkaProducer

    from pipeline import codec

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                                linger_ms=5, request_timeout_ms=30000)
    try:
        await producer.start()
        futures = [await producer.send(topic, value=v, key=k.encode(), headers=codec.headers("raw"))
                   for k, v in items]
        for f in futures:
            await f
        return len(futures)
    finally:
        await producer.stop()


def read_topics(bootstrap: str, topics: list[str], timeout: float = 120.0) -> dict[str, list[bytes]]:
    """Every value currently in each topic, read without a consumer group."""
    return _run(_read_topics, bootstrap, topics, timeout=timeout)


def output_count(settings: Settings) -> int:
    """Records in the two output topics (sum of end offsets): a cheap progress probe."""
    t = settings.topics
    return _run(_end_offsets_sum, settings.bootstrap_servers, [t.enriched, t.deadletter], timeout=30)


def publish(settings: Settings, items: list[tuple[str, bytes]], timeout: float = 120.0) -> int:
    """Publish (id, value) pairs to the raw topic, keyed by id; returns how many the broker acknowledged.

    A retry after a failure may publish some articles twice: the publisher is
    at-least-once too, and the tally counts ids, not copies.
    """
    return _run(_publish, settings.bootstrap_servers, settings.topics.raw, items, timeout=timeout)


def proc_memory_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a live process in KiB from /proc, or (0, 0)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0, 0
    vals = {line.split(":")[0]: line.split()[1] for line in text.splitlines()
            if line.startswith(("VmRSS:", "VmHWM:"))}
    return int(vals.get("VmRSS", 0)), int(vals.get("VmHWM", 0))


def descendants(pid: int) -> list[int]:
    """Child processes of `pid`, recursively (Linux /proc)."""
    out: list[int] = []
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for child in map(int, children):
        out += [child, *descendants(child)]
    return out


class WorkerProcess:
    """A `python -m wirestream worker` subprocess in its own process group; peak RSS sampled from /proc."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env, self.log_path = env, log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.peak_rss_kb = 0
        self.starts = 0
        self.unexpected_exits: list[int] = []
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            log.write(f"\n=== start {self.starts} at {time.strftime('%H:%M:%S')} ===\n".encode())
            self.proc = subprocess.Popen([sys.executable, "-m", "wirestream", "worker", "--loglevel", "info"],
                                         env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=REPO,
                                         start_new_session=True)
        self.starts += 1

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def check(self) -> None:
        """Note (and recover from) a worker that exited on its own: that is a finding, not a fault we injected."""
        if self.proc is not None and self.proc.poll() is not None:
            self.unexpected_exits.append(self.proc.returncode)
            self.proc = None
            self.start()

    def signal(self, sig: signal.Signals, wait: float = 60) -> int | None:
        if not self.alive():
            return None
        assert self.proc is not None
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            code = self.proc.wait(wait)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            code = self.proc.wait(10)
        self.proc = None
        return code

    def close(self) -> None:
        self.signal(signal.SIGTERM)
        self._stop.set()

    def _sample(self) -> None:
        """Peak RSS of the Faust worker: the largest high-water mark in the process tree (supervisor + worker)."""
        while not self._stop.wait(0.25):
            proc = self.proc
            if proc is not None:
                for pid in [proc.pid, *descendants(proc.pid)]:
                    self.peak_rss_kb = max(self.peak_rss_kb, proc_memory_kb(pid)[1])

    def rss_kb(self) -> int:
        """Current RSS of the largest process in the worker's tree."""
        if self.proc is None:
            return 0
        return max(proc_memory_kb(pid)[0] for pid in [self.proc.pid, *descendants(self.proc.pid)])

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def worker_env(bootstrap: str, **extra: str) -> dict[str, str]:
    from wirestream.localbroker import free_port

    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
           "WIRESTREAM_APP_ID": f"wirestream-chaos-{uuid.uuid4().hex[:6]}",
           "WIRESTREAM_WEB_PORT": str(free_port()), "WIRESTREAM_BATCH_TIMEOUT": "0.1",
           "PYTHONUNBUFFERED": "1"}
    env.update(extra)
    return env


def _say(message: str, quiet: bool = False) -> None:
    if not quiet:
        print(f"[chaos {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ── the runs ─────────────────────────────────────────────────────────────────


@dataclass
class ChaosConfig:
    articles: int = 1000
    kills: int = 3
    broker_restarts: int = 1
    term_restarts: int = 0      # graceful SIGTERM + restart, on top of the kills
    seed: int = 1
    chunks: int = 10
    drain_timeout: float = 600.0
    data_dir: Path | None = None
    keep: bool = False
    quiet: bool = False


@dataclass
class ChaosReport:
    config: dict[str, Any]
    tally: Tally
    events: list[dict[str, Any]]
    seconds: float
    worker_peak_rss_mb: float
    worker_starts: int
    worker_unexpected_exits: list[int]
    drained: bool

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ok"] = self.tally.ok
        return d


def run_chaos(cfg: ChaosConfig) -> ChaosReport:
    from wirestream.localbroker import LocalBroker, free_port
    from agents.clients import ensure_topics

    rng = random.Random(cfg.seed)
    run = f"chaos{cfg.seed}-{uuid.uuid4().hex[:6]}"
    articles = make_articles(cfg.articles, run, cfg.seed)
    expected = {aid: outcome for aid, _, outcome in articles}
    own_dir = cfg.data_dir is None
    data_dir = Path(tempfile.mkdtemp(prefix="wirestream-chaos-")) if own_dir else Path(cfg.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    broker = LocalBroker(port=free_port(), data_dir=data_dir / "broker", quiet=cfg.quiet)
    settings = Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap})
    events: list[dict[str, Any]] = []
    t0 = time.monotonic()

    def note(kind: str, **info: Any) -> None:
        events.append({"t": round(time.monotonic() - t0, 1), "event": kind, **info})
        _say(f"{kind} {info if info else ''}", cfg.quiet)

    worker: WorkerProcess | None = None
    sent: list[str] = []
    try:
        broker.start()
        ensure_topics(settings)
        worker = WorkerProcess(worker_env(broker.bootstrap), data_dir / "worker.log")
        worker.start()
        note("worker_started")
        faults = ["kill"] * cfg.kills + ["term"] * cfg.term_restarts + ["broker"] * cfg.broker_restarts
        rng.shuffle(faults)
        # One chunk of articles before each fault and one after the last, so
        # every fault lands while there is a backlog being worked on.
        n_chunks = max(cfg.chunks, len(faults) + 1)
        size = max(1, -(-len(articles) // n_chunks))
        chunks = [articles[i:i + size] for i in range(0, len(articles), size)]
        steps: list[Any] = []
        for i, chunk in enumerate(chunks):
            steps.append(chunk)
            if i < len(faults):
                steps.append(faults[i])
        steps.extend(faults[len(chunks):])

        base = [0]

        def send_chunk(chunk: list[tuple[str, bytes, str]]) -> None:
            base[0] = output_count(settings)
            publish(settings, [(aid, value) for aid, value, _ in chunk])
            sent.extend(aid for aid, _, _ in chunk)
            note("published", count=len(chunk), total=len(sent))

        def wait_progress(timeout: float = 120) -> bool:
            """Until the worker has started on the chunk just published, so the fault lands on live work."""
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                worker.check()
                if output_count(settings) > base[0]:
                    return True
                time.sleep(0.2)
            return False

        for step in steps:
            worker.check()
            if isinstance(step, list):
                send_chunk(step)
                continue
            busy = wait_progress()
            time.sleep(rng.uniform(0.0, 1.5))
            if step == "kill":
                worker.signal(signal.SIGKILL)
                note("worker_sigkill", mid_stream=busy)
                time.sleep(rng.uniform(0.0, 2.0))
                worker.start()
                note("worker_started")
            elif step == "term":
                code = worker.signal(signal.SIGTERM)
                note("worker_sigterm", exit_code=code, mid_stream=busy)
                worker.start()
                note("worker_started")
            else:
                note("broker_restart_begin", mid_stream=busy)
                broker.restart()
                note("broker_restart_done")

        drained = False
        tally = account(sent, [], [], expected)
        deadline = time.monotonic() + cfg.drain_timeout
        while time.monotonic() < deadline:
            worker.check()
            enriched, dead = read_outcomes(settings)
            tally = account(sent, enriched, dead, expected)
            if tally.lost == 0:
                drained = True
                break
            time.sleep(3)
        note("drained" if drained else "drain_timeout", lost=tally.lost)
        return ChaosReport(
            config={k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(cfg).items()},
            tally=tally, events=events, seconds=round(time.monotonic() - t0, 1),
            worker_peak_rss_mb=round(worker.peak_rss_kb / 1024, 1), worker_starts=worker.starts,
            worker_unexpected_exits=list(worker.unexpected_exits), drained=drained,
        )
    except BaseException:
        if worker is not None:
            print(f"--- worker log tail ---\n{worker.log_tail()}", file=sys.stderr)
        raise
    finally:
        if worker is not None:
            worker.close()
        broker.stop()
        if own_dir and not cfg.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


@dataclass
class LoadReport:
    articles: int
    publish_seconds: float
    publish_rate: float
    drain_seconds: float
    drain_rate: float
    max_backlog: int
    worker_peak_rss_mb: float
    worker_rss_before_burst_mb: float
    tally: Tally


def run_load(n: int, seed: int = 1, quiet: bool = False, drain_timeout: float = 1200.0) -> LoadReport:
    """A burst of `n` articles published as fast as the client can, against a warmed-up worker."""
    from wirestream.localbroker import LocalBroker, free_port
    from agents.clients import ensure_topics

    run = f"load{seed}-{uuid.uuid4().hex[:6]}"
    articles = make_articles(n, run, seed)
    data_dir = Path(tempfile.mkdtemp(prefix="wirestream-load-"))
    broker = LocalBroker(port=free_port(), data_dir=data_dir / "broker", quiet=quiet)
    settings = Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap})
    worker: WorkerProcess | None = None
    try:
        broker.start()
        ensure_topics(settings)
        worker = WorkerProcess(worker_env(broker.bootstrap), data_dir / "worker.log")
        worker.start()
        warm = make_articles(1, f"{run}-warm", seed)
        publish(settings, [(warm[0][0], warm[0][1])])
        deadline = time.monotonic() + 300
        while output_count(settings) < 1 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert worker.proc is not None
        before_kb = worker.rss_kb()
        _say(f"worker warm (RSS {before_kb / 1024:.0f} MB); publishing {n} articles", quiet)
        t0 = time.monotonic()
        publish(settings, [(aid, v) for aid, v, _ in articles], timeout=600)
        t_pub = time.monotonic() - t0
        sent = [aid for aid, _, _ in articles]
        max_backlog, done = 0, 1
        while time.monotonic() - t0 < drain_timeout:
            done = output_count(settings) - 1
            max_backlog = max(max_backlog, n - done)
            if done >= n:
                break
            time.sleep(1.0)
        t_drain = time.monotonic() - t0
        enriched, dead = read_outcomes(settings)
        tally = account(sent, enriched, dead, {aid: o for aid, _, o in articles})
        return LoadReport(articles=n, publish_seconds=round(t_pub, 2), publish_rate=round(n / t_pub, 1),
                          drain_seconds=round(t_drain, 1), drain_rate=round(n / t_drain, 1),
                          max_backlog=max_backlog, worker_peak_rss_mb=round(worker.peak_rss_kb / 1024, 1),
                          worker_rss_before_burst_mb=round(before_kb / 1024, 1), tally=tally)
    finally:
        if worker is not None:
            worker.close()
        broker.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    from rich.console import Console

    p = argparse.ArgumentParser(prog="python -m tools.chaos", description=__doc__.split("\n\n")[0])
    p.add_argument("--articles", type=int, default=1000)
    p.add_argument("--kills", type=int, default=3, help="worker SIGKILLs (each followed by a restart)")
    p.add_argument("--broker-restarts", type=int, default=1)
    p.add_argument("--term-restarts", type=int, default=0, help="graceful SIGTERM + restart of the worker")
    p.add_argument("--seed", type=int, default=None, help="random seed (default: random, printed)")
    p.add_argument("--drain-timeout", type=float, default=600.0)
    p.add_argument("--json", type=Path, default=None, help="write the report here (default .wirestream/chaos-*.json)")
    p.add_argument("--keep", action="store_true", help="keep the broker data dir and worker log")
    p.add_argument("--burst", type=int, default=None, help="load mode: publish N at once, measure drain and RSS")
    args = p.parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so the broker and workers we started are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    console = Console()
    seed = args.seed if args.seed is not None else random.randrange(1_000_000)
    out = args.json or Path(".wirestream") / f"{'load' if args.burst else 'chaos'}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    if args.burst:
        load = run_load(args.burst, seed=seed)
        console.print(f"Wirestream load: a burst of {load.articles} articles, seed {seed}")
        console.print(table(load.tally, "", [
            ("publish rate (articles/s)", f"{load.publish_rate}"),
            ("drain time (s)", f"{load.drain_seconds}"),
            ("drain rate (articles/s)", f"{load.drain_rate}"),
            ("max backlog (articles)", f"{load.max_backlog}"),
            ("worker RSS before burst (MB)", f"{load.worker_rss_before_burst_mb}"),
            ("worker peak RSS (MB)", f"{load.worker_peak_rss_mb}"),
        ]))
        out.write_text(json.dumps(asdict(load), indent=2) + "\n")
        console.print(f"report: {out}")
        return 0 if load.tally.lost == 0 else 1
    cfg = ChaosConfig(articles=args.articles, kills=args.kills, broker_restarts=args.broker_restarts,
                      term_restarts=args.term_restarts, seed=seed, drain_timeout=args.drain_timeout,
                      keep=args.keep)
    report = run_chaos(cfg)
    title = (f"Wirestream chaos: {args.articles} articles, {args.kills} worker SIGKILLs, "
             f"{args.term_restarts} SIGTERMs, {args.broker_restarts} broker restart(s), seed {seed}")
    console.print(title)
    console.print(table(report.tally, "", [
        ("worker starts", str(report.worker_starts)),
        ("worker exits not injected", str(len(report.worker_unexpected_exits))),
        ("worker peak RSS (MB)", str(report.worker_peak_rss_mb)),
        ("wall time (s)", str(report.seconds)),
    ]))
    if report.tally.lost_ids:
        console.print(f"lost ids (first 20): {', '.join(report.tally.lost_ids)}")
    out.write_text(json.dumps(report.to_dict(), indent=2) + "\n")
    console.print(f"report: {out}")
    return 0 if report.tally.ok and not report.worker_unexpected_exits else 1


if __name__ == "__main__":
    sys.exit(main())
